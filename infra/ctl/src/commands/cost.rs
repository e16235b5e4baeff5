//! `moralectl cost`: the month's AWS bill at list prices, from the cost model (`morale::cost`).

use anyhow::{Result, bail};
use morale::cost::{self, Fixed};
use serde_json::json;

/// The template this moralectl deploys: its alarms, keys and dashboard are the fixed part.
const TEMPLATE: &str = include_str!("../../../../template.yaml");

pub(super) fn cost(members: &[u64], max_send_rate: f64, json: bool) -> Result<()> {
    if !(max_send_rate.is_finite() && max_send_rate >= 1.0) {
        bail!("--rate is the account's MaxSendRate, at least 1 (a new SES account in production has 14)");
    }
    let fixed = Fixed::of(TEMPLATE);
    let months: Vec<(u64, Vec<cost::Line>)> =
        members.iter().map(|&n| (n, cost::month(n, max_send_rate, fixed))).collect();
    if json {
        let list: Vec<_> = months
            .iter()
            .map(|(n, lines)| {
                let l: Vec<_> = lines
                    .iter()
                    .map(|l| {
                        json!({"what": l.what, "usd": l.usd, "usd_after_free_tier": l.usd_after_free_tier, "variable": l.variable})
                    })
                    .collect();
                json!({
                    "members": n,
                    "usd": cost::total(lines),
                    "usd_after_free_tier": cost::total_after_free_tier(lines),
                    "lines": l,
                })
            })
            .collect();
        println!("{}", json!({"max_send_rate": max_send_rate, "fixed": format!("{fixed:?}"), "months": list}));
        return Ok(());
    }
    println!(
        "A month at us-east-1 list prices; SES at {max_send_rate}/s. Fixed: {} alarms, {} KMS keys, {} dashboard(s) \
         of {} metrics.",
        fixed.alarms, fixed.kms_keys, fixed.dashboards, fixed.dashboard_metrics
    );
    print!("{:<48}", "");
    for (n, _) in &months {
        print!("{:>18}", format!("{n} members"));
    }
    println!();
    for (i, line) in months[0].1.iter().enumerate() {
        print!("{:<48}", line.what);
        for (_, lines) in &months {
            print!("{:>18}", format!("${:.2}", lines[i].usd));
        }
        println!();
    }
    let row = |what: &str, usd: &dyn Fn(&[cost::Line]) -> f64| {
        print!("{what:<48}");
        for (_, lines) in &months {
            let v = usd(lines);
            print!("{:>18}", format!("{}${:.2}", if v < -0.005 { "-" } else { "" }, v.abs()));
        }
        println!();
    };
    row("Total at list price", &cost::total);
    row("AWS's always-free tier takes off", &|l: &[cost::Line]| cost::total_after_free_tier(l) - cost::total(l));
    row("Total with the always-free tier", &cost::total_after_free_tier);
    for (n, _) in &months {
        let hours = *n as f64 / (max_send_rate * 0.975) / 3600.0;
        if hours > 2.0 {
            println!(
                "Note: {n} members' emails take {hours:.1} hours a day at {max_send_rate}/s; ask SES for a higher \
                 sending rate (--rate) to send them within the morning."
            );
        }
    }
    Ok(())
}

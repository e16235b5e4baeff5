//! Accessibility, checked in a real browser: axe-core's WCAG 2.2 A and AA rules over a page at
//! a 320 px phone and a desktop width, in the light and the dark colour scheme, with a
//! screenshot of each under `artifacts/screenshots/`.

use morale_tests::browser::Browser;
use std::time::Duration;

/// Every violation axe finds on the page `b` shows, in each width and scheme; saves
/// `<name>-<width>-<scheme>.png`. The window is left phone-sized and light, as it started.
pub async fn assert_accessible(b: &Browser, name: &str) {
    let mut found = Vec::new();
    for (width, height) in [(320, 720), (1280, 900)] {
        for dark in [false, true] {
            b.resize(width, height).await.unwrap();
            b.color_scheme(dark).await.unwrap();
            assert_eq!(b.viewport_width().await.unwrap(), u64::from(width), "{name}: the page is {width} px wide");
            // Layout and colours settle (a media query's styles, a reflow).
            tokio::time::sleep(Duration::from_millis(150)).await;
            let scheme = if dark { "dark" } else { "light" };
            b.screenshot(&format!("{name}-{width}-{scheme}")).await.unwrap();
            for v in b.axe().await.unwrap() {
                let nodes: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| format!("{} — {}", n["target"], n["failureSummary"].as_str().unwrap_or_default()))
                    .collect();
                found.push(format!(
                    "{name} at {width} px, {scheme}: {} ({}): {}",
                    v["id"],
                    v["help"],
                    nodes.join("; ")
                ));
            }
        }
    }
    b.resize(412, 915).await.unwrap();
    b.color_scheme(false).await.unwrap();
    assert!(found.is_empty(), "axe found {} violation(s):\n{}", found.len(), found.join("\n"));
}

/// The check itself: a page with an image without text, an unlabelled field and faint grey
/// text is found wanting, in the dark scheme too; so a clean report says something.
#[tokio::test]
async fn axe_finds_what_is_wrong() {
    let page = r#"<!doctype html><html lang="en"><head><title>Wrong</title>
        <style>@media (prefers-color-scheme: dark) { p.dark { color: #333; background: #222; } }</style></head>
        <body><main><h1>Wrong</h1><img src="data:,"><input type="text">
        <p style="color:#bbb;background:#ccc">faint</p><p class="dark">dark only</p></main></body></html>"#;
    let b = Browser::start(true).await.unwrap();
    b.show_html(page).await.unwrap();
    let ids = |v: Vec<serde_json::Value>| v.iter().map(|v| v["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let light = ids(b.axe().await.unwrap());
    for rule in ["image-alt", "label", "color-contrast"] {
        assert!(light.contains(&rule.to_string()), "axe should find {rule}: {light:?}");
    }
    b.color_scheme(true).await.unwrap();
    let dark = b.axe().await.unwrap();
    let contrast = dark.iter().find(|v| v["id"] == "color-contrast").expect("contrast");
    assert!(contrast["nodes"].to_string().contains("dark"), "the dark scheme's own colours are checked: {contrast}");
}

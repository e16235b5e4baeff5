//! The trend page's chart and the CSV export, from the anonymous daily aggregates.

use morale::domain::Locale;
use morale::insights::Day;
use std::fmt::Write;

pub struct Grid {
    pub y: String,
    /// Where the axis label goes.
    pub lx: String,
    pub ly: String,
    pub label: u8,
}

pub struct Bar {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub score: u8,
    pub title: String,
}

pub struct Thin {
    pub x: String,
    pub y: String,
    pub w: String,
    pub title: String,
}

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
}

pub struct Label {
    pub x: String,
    pub label: String,
}

/// The chart's drawing area, the same for every chart: the SVG's size, the plot's left and
/// right edges, its top and bottom, and the baseline of the date labels.
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub label_y: u32,
}

pub const FRAME: Frame =
    Frame { width: 640, height: 260, left: 28.0, right: 632.0, top: 10.0, bottom: 232.0, label_y: 256 };

/// An inline SVG chart: per day, the answers as a stacked bar and the mean as a point on a
/// line. Days with too few answers get only a grey mark.
pub struct Chart {
    pub frame: &'static Frame,
    pub grid: Vec<Grid>,
    pub bars: Vec<Bar>,
    pub thin: Vec<Thin>,
    pub line: String,
    pub points: Vec<Point>,
    pub labels: Vec<Label>,
    pub description: String,
}

fn f(x: f64) -> String {
    format!("{x:.1}")
}

impl Chart {
    pub fn new(days: &[Day], t: Locale) -> Self {
        let Frame { left, right, top, bottom, .. } = FRAME;
        let plot = bottom - top;
        let step = (right - left) / days.len().max(1) as f64;
        let y_of = |mean: f64| bottom - (mean - 1.0) / 4.0 * plot;
        let most = days.iter().filter(|d| d.enough()).map(|d| d.voters).max().unwrap_or(1).max(1) as f64;
        let mut c = Chart {
            frame: &FRAME,
            grid: (1..=5)
                .map(|s| {
                    let y = y_of(f64::from(s));
                    Grid { y: f(y), lx: f(left - 6.0), ly: f(y + 4.0), label: s }
                })
                .collect(),
            bars: Vec::new(),
            thin: Vec::new(),
            line: String::new(),
            points: Vec::new(),
            labels: Vec::new(),
            description: String::new(),
        };
        for (i, d) in days.iter().enumerate() {
            let x = left + i as f64 * step;
            let w = (step * 0.7).max(1.0);
            let bx = x + (step - w) / 2.0;
            let date = t.date_short_weekday(d.date.date());
            match &d.figures {
                Some(fig) => {
                    // The stack takes up to a third of the height, scaled by the day's voters.
                    let total_h = plot / 3.0 * (d.voters as f64 / most);
                    let mut y = bottom;
                    for (s, n) in fig.distribution.iter().enumerate() {
                        if *n == 0 {
                            continue;
                        }
                        let h = total_h * (*n as f64 / d.voters as f64);
                        y -= h;
                        c.bars.push(Bar {
                            x: f(bx),
                            y: f(y),
                            w: f(w),
                            h: f(h),
                            score: s as u8 + 1,
                            title: t.args(
                                "trend-bar",
                                &[
                                    ("date", date.clone().into()),
                                    ("n", (*n as i64).into()),
                                    ("score", (s as i64 + 1).into()),
                                ],
                            ),
                        });
                    }
                    let (px, py) = (x + step / 2.0, y_of(fig.mean));
                    let _ = write!(c.line, "{} {} ", f(px), f(py));
                    c.points.push(Point {
                        x: f(px),
                        y: f(py),
                        title: t.args(
                            "trend-point",
                            &[
                                ("date", date.clone().into()),
                                ("mean", t.decimal(fig.mean, 2).into()),
                                ("voters", (d.voters as i64).into()),
                            ],
                        ),
                    });
                }
                None if d.voters > 0 => c.thin.push(Thin {
                    x: f(bx),
                    y: f(bottom - 4.0),
                    w: f(w),
                    title: t.arg("trend-thin", "date", &date),
                }),
                None => {}
            }
            let every = (days.len() / 6).max(1);
            if i % every == 0 {
                c.labels.push(Label { x: f(x + step / 2.0), label: t.date_short(d.date.date()) });
            }
        }
        c.line = c.line.trim_end().to_string();
        let shown: Vec<&Day> = days.iter().filter(|d| d.enough()).collect();
        c.description = if shown.is_empty() {
            t.text("trend-chart-empty")
        } else {
            let (lo, hi) = shown
                .iter()
                .filter_map(|d| d.figures.as_ref())
                .fold((5.0f64, 1.0f64), |(lo, hi), f| (lo.min(f.mean), hi.max(f.mean)));
            t.args(
                "trend-chart-summary",
                &[
                    ("days", (shown.len() as i64).into()),
                    ("low", t.decimal(lo, 1).into()),
                    ("high", t.decimal(hi, 1).into()),
                ],
            )
        };
        c
    }
}

/// One closed day in the table under the chart: the chart's figures as text.
pub struct Row {
    pub date: String,
    pub voters: String,
    pub mean: String,
    pub counts: String,
}

/// The closed days, newest first; a day with too few answers shows only that.
pub fn rows(days: &[Day], t: Locale) -> Vec<Row> {
    days.iter()
        .rev()
        .filter(|d| d.closed)
        .map(|d| {
            let date = t.date_short_weekday(d.date.date());
            match &d.figures {
                Some(f) => Row {
                    date,
                    voters: d.voters.to_string(),
                    mean: t.decimal(f.mean, 2),
                    counts: f.distribution.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" / "),
                },
                None => Row {
                    date,
                    voters: if d.voters == 0 { "0".into() } else { t.text("trend-table-too-few") },
                    mean: "–".into(),
                    counts: "–".into(),
                },
            }
        })
        .collect()
}

/// `date,voters,mean,answered_1,…,answered_5`: closed days only, aggregates only, and blank
/// figures for days with too few answers.
pub fn csv(days: &[Day]) -> String {
    let mut out = String::from("date,voters,mean,answered_1,answered_2,answered_3,answered_4,answered_5\n");
    for d in days.iter().filter(|d| d.closed) {
        match &d.figures {
            Some(f) => {
                let dist: Vec<String> = f.distribution.iter().map(|n| n.to_string()).collect();
                let _ = writeln!(out, "{},{},{:.2},{}", d.date, d.voters, f.mean, dist.join(","));
            }
            None => {
                // The voter count of a thin day is never shown, only that there were too few.
                let _ = writeln!(out, "{},{},,,,,,", d.date, if d.voters == 0 { "0" } else { "too few" });
            }
        }
    }
    out
}

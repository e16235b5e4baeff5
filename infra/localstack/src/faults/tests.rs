use super::*;
use std::sync::atomic::{AtomicU32, Ordering};

/// An upstream that answers each request with how many it answered before, after `delay`.
async fn counting_upstream(delay: Duration) -> (String, tokio::task::JoinHandle<()>) {
    let n = Arc::new(AtomicU32::new(0));
    let app = axum::Router::new().fallback(move || {
        let n = n.clone();
        async move {
            tokio::time::sleep(delay).await;
            n.fetch_add(1, Ordering::SeqCst).to_string()
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (url, tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }))
}

async fn get(url: &str) -> String {
    reqwest::get(url).await.expect("an answer").text().await.unwrap()
}

#[tokio::test]
async fn a_stale_answer_is_the_first_one_and_a_new_plan_keeps_nothing_of_the_last() {
    let (upstream, _upstream) = counting_upstream(Duration::from_millis(200)).await;
    let proxy = FaultProxy::start(&upstream).await.unwrap();
    proxy.plan(FaultPlan::one(&[], 1.0, Fault::StaleAnswer));
    assert_eq!(get(&proxy.url).await, "0");
    assert_eq!(get(&proxy.url).await, "0", "the first answer, again");
    // The plan is replaced while a request it drew is in flight: its answer is kept for nobody.
    proxy.plan(FaultPlan::one(&[], 1.0, Fault::StaleAnswer));
    let url = proxy.url.clone();
    let in_flight = tokio::spawn(async move { get(&url).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    proxy.plan(FaultPlan::default());
    assert_eq!(in_flight.await.unwrap(), "1");
    proxy.plan(FaultPlan::one(&[], 1.0, Fault::StaleAnswer));
    assert_eq!(get(&proxy.url).await, "2", "the new plan's first answer, not the last plan's");
    assert_eq!(get(&proxy.url).await, "2");
}

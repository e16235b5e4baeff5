//! The response-api Lambda behind API Gateway (HTTP API, payload 2.0).

use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn};
use morale::clock::SystemClock;
use morale::config::{self, env};
use morale::store::DynamoStore;
use morale::store::prelude::*;
use morale_response_api::{HttpRequest, ResponseApi};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    morale::telemetry::init();
    let sdk = morale::aws::load().await;
    let keys = config::load_token_keys(&sdk).await?;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), config::required(env::TABLE)?);
    // Warm the connection (TLS, credentials) alongside init, without delaying it.
    tokio::spawn({
        let store = store.clone();
        async move { store.get_state("preflight").await.map(|_| ()) }
    });
    let api = ResponseApi { store: Arc::new(store), keys, clock: Arc::new(SystemClock) };
    let api = &api;
    run(service_fn(move |req: Request| async move {
        let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let r = HttpRequest {
            method: req.method().as_str().to_string(),
            path: req.raw_http_path().to_string(),
            query: req.uri().query().unwrap_or_default().to_string(),
            accept: header("accept"),
            content_type: header("content-type"),
            body: req.body().to_vec(),
        };
        let resp = api.handle(&r).await;
        let mut builder = Response::builder().status(resp.status);
        for (k, v) in &resp.headers {
            builder = builder.header(*k, v);
        }
        Ok::<_, Error>(builder.body(Body::Text(resp.body))?)
    }))
    .await
}

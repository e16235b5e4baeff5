//! The response-api Lambda behind API Gateway (HTTP API, payload 2.0): the API's router under
//! `lambda_http`.

use lambda_http::{Error, run};
use morale::aws::Bootstrap;
use morale::clock::SystemClock;
use morale::config;
use morale_response_api::{ResponseApi, router};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let boot = Bootstrap::start().await?;
    let keys = config::load_token_keys(&boot.sdk).await?;
    config::refresh_token_keys(boot.sdk.clone(), keys.clone(), config::KEYS_REFRESH);
    let voters = config::load_voter_secret(&boot.sdk).await?;
    let api = ResponseApi { store: Arc::new(boot.store), keys, voters, clock: Arc::new(SystemClock) };
    run(router(Arc::new(api))).await
}

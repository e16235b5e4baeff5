//! Loading AWS configuration once per process, with one HTTP client for every SDK client.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// The normal credential chain and region (Lambda's environment, a profile, …).
/// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` point it at a local stack.
pub async fn load() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).http_client(http_client()).load().await
}

/// rustls with ring: the same TLS as the SDK's default client, without building aws-lc.
pub fn http_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::Ring)).build_https()
}

/// What every function starts with, built once per process: tracing, the SDK configuration
/// and the table. The table's connection (TLS, credentials) is warmed alongside the rest of
/// init, without delaying it.
pub struct Bootstrap {
    pub sdk: SdkConfig,
    pub store: crate::store::DynamoStore,
}

impl Bootstrap {
    pub async fn start() -> Result<Self, crate::config::ConfigError> {
        use crate::store::StateStore;
        crate::telemetry::init();
        let sdk = load().await;
        let table = crate::config::required(crate::config::env::TABLE)?;
        let store = crate::store::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        tokio::spawn({
            let store = store.clone();
            async move { store.get_state("preflight").await.map(|_| ()) }
        });
        Ok(Self { sdk, store })
    }

    /// The on-call alert topic, from `MORALE_ALERT_TOPIC_ARN`; an alert it cannot publish is
    /// logged and counted in a metric an alarm watches.
    pub fn alerter(
        &self,
    ) -> Result<crate::alert::MeteredAlerter<crate::alert::SnsAlerter>, crate::config::ConfigError> {
        let topic = crate::config::required(crate::config::env::ALERT_TOPIC_ARN)?;
        let sns = crate::alert::SnsAlerter::new(aws_sdk_sns::Client::new(&self.sdk), &topic);
        Ok(crate::alert::MeteredAlerter::new(sns))
    }
}

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

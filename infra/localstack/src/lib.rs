//! The local AWS stack: `moto` in server mode on a loopback port, reached by the real AWS SDK,
//! and tables created from `template.yaml`.

pub mod http;
pub mod moto;
pub mod route;
pub mod schema;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub use moto::Moto;
pub use route::EventRoute;
pub use schema::TableSchema;

/// The default EventBridge bus of the local stack's account.
pub const DEFAULT_BUS_ARN: &str = "arn:aws:events:us-east-1:123456789012:event-bus/default";

/// The region the local stack pretends to be in.
pub const REGION: &str = "us-east-1";

/// SDK configuration for the local stack at `endpoint`: fixed test credentials, so no real
/// credentials are ever looked up or sent.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "morale-local"))
        .http_client(morale::aws::http_client())
        .load()
        .await
}

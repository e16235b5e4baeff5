//! The local AWS stack, reached by the real AWS SDK: Amazon's DynamoDB Local for DynamoDB,
//! `moto` in server mode for SNS, SQS and EventBridge, each on a loopback port; tables created
//! from `template.yaml`; a fault proxy that makes any of them fail the way AWS fails.

pub mod cfn;
pub mod dynamodb;
pub mod faults;
pub mod http;
pub mod iam;
pub mod lambda;
pub mod moto;
pub mod route;
pub mod schema;
pub mod server;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub use faults::{AwsError, Fault, FaultPlan, FaultProxy, FaultRule, FaultStats};
pub use route::EventRoute;
pub use schema::TableSchema;
pub use server::LocalServer;

/// The default EventBridge bus of the local stack's account.
pub const DEFAULT_BUS_ARN: &str = "arn:aws:events:us-east-1:123456789012:event-bus/default";

/// The region and the account the local stack pretends to be in.
pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// The sending identity the local stack's SES has verified, and the From address on it.
pub const IDENTITY: &str = "morale.example";
pub const FROM: &str = "Morale <noreply@morale.example>";

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

/// A DynamoDB client for the local stack's DynamoDB at `endpoint` (DynamoDB Local, or a fault
/// proxy in front of it).
pub async fn dynamodb_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config(endpoint).await)
}

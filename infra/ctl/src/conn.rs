//! Clients for AWS (the normal credential chain) or the local stack (`--local`).

use anyhow::{Context, Result};
use aws_config::SdkConfig;
use morale::store::DynamoStore;
use std::sync::Arc;

pub struct Conn {
    pub store: Arc<DynamoStore>,
    /// For EventBridge, SQS, SSM: AWS, or moto.
    pub sdk: SdkConfig,
    /// SESv2: AWS, or ses-local.
    pub ses: aws_sdk_sesv2::Client,
    pub local: bool,
}

impl Conn {
    pub async fn open(cli: &crate::Cli) -> Result<Self> {
        let table = cli.table.clone().context(
            "which table? Give --table or set MORALE_TABLE (the TableName output of the deployed stack; `make dev` prints the local one)",
        )?;
        let (sdk, ses_sdk, dynamodb) = if cli.local {
            let moto = cli
                .endpoint
                .as_deref()
                .context("--local needs --endpoint or MORALE_MOTO_URL (`make dev` prints them)")?;
            let dynamodb = cli
                .dynamodb_endpoint
                .as_deref()
                .context("--local needs --dynamodb-endpoint or MORALE_DYNAMODB_URL (`make dev` prints them)")?;
            let sdk = morale_localstack::sdk_config(moto).await;
            let ses_sdk = match cli.ses_endpoint.as_deref() {
                Some(ses) => morale_localstack::sdk_config(ses).await,
                None => sdk.clone(),
            };
            (sdk, ses_sdk, morale_localstack::dynamodb_client(dynamodb).await)
        } else {
            let sdk = morale::aws::load().await;
            let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
            (sdk.clone(), sdk, dynamodb)
        };
        Ok(Self {
            store: Arc::new(DynamoStore::new(dynamodb, table)),
            ses: aws_sdk_sesv2::Client::new(&ses_sdk),
            sdk,
            local: cli.local,
        })
    }
}

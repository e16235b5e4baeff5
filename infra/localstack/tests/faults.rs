//! The fault proxy in front of DynamoDB Local and moto: each fault does what it says, to the
//! real AWS SDK, in each protocol.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::ScalarAttributeType;
use aws_sdk_dynamodb::types::{AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType};
use morale_localstack::{AwsError, Fault, FaultPlan, FaultProxy, LocalServer};
use std::sync::OnceLock;

fn server(cell: &'static OnceLock<LocalServer>, env: &str, start: fn() -> anyhow::Result<LocalServer>) -> String {
    cell.get_or_init(|| LocalServer::from_env_or(env, start).expect("the local stack")).url.clone()
}

/// A DynamoDB client through `proxy`, with the SDK's retries off: each fault shows as it is.
async fn dynamodb(proxy: &FaultProxy) -> aws_sdk_dynamodb::Client {
    let sdk = morale_localstack::sdk_config(&proxy.url).await;
    let conf = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

async fn table(client: &aws_sdk_dynamodb::Client) -> String {
    let name = format!("faults-{}-{}", std::process::id(), rand::random::<u32>());
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("PK").attribute_type(ScalarAttributeType::S).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("PK").key_type(KeyType::Hash).build().unwrap())
        .send()
        .await
        .unwrap();
    name
}

async fn stored(client: &aws_sdk_dynamodb::Client, table: &str, pk: &str) -> bool {
    let got = client.get_item().table_name(table).key("PK", AttributeValue::S(pk.into())).send().await.unwrap();
    got.item.is_some()
}

#[tokio::test]
async fn dynamodb_errors_stop_the_write_and_a_lost_answer_does_not() {
    static DDB: OnceLock<LocalServer> = OnceLock::new();
    let proxy = FaultProxy::start(&server(&DDB, morale_localstack::dynamodb::URL_ENV, LocalServer::dynamodb_local))
        .await
        .unwrap();
    let client = dynamodb(&proxy).await;
    let table = table(&client).await;
    let put = |pk: &str| client.put_item().table_name(&table).item("PK", AttributeValue::S(pk.into())).send();

    for code in [AwsError::ThrottlingException, AwsError::ProvisionedThroughputExceededException] {
        proxy.plan(FaultPlan::one(&["PutItem"], 1.0, Fault::Error { code }));
        let err = put("refused").await.expect_err("the fault answers");
        assert_eq!(err.code(), Some(format!("{code:?}").as_str()), "{err:?}");
    }
    proxy.plan(FaultPlan::one(&["PutItem"], 1.0, Fault::Error { code: AwsError::InternalServerError }));
    assert_eq!(put("refused").await.expect_err("500").code(), Some("InternalServerError"));
    assert!(!stored(&client, &table, "refused").await, "an error answer means nothing was written");

    proxy.plan(FaultPlan::one(&["PutItem"], 1.0, Fault::LoseAnswer));
    assert!(put("applied").await.is_err(), "the client gets no answer");
    assert!(stored(&client, &table, "applied").await, "but the write was applied");

    // Other operations and spent rules pass; the counts say what happened.
    proxy.plan(FaultPlan::one(&["PutItem"], 1.0, Fault::LoseAnswer).at_most(1));
    assert!(put("a").await.is_err());
    put("b").await.expect("the rule is spent");
    let stats = proxy.stats();
    assert_eq!(stats.hit["PutItem"], 5, "three errors, two lost answers");
    assert!(stats.seen["GetItem"] >= 2 && !stats.hit.contains_key("GetItem"), "{stats:?}");
}

#[tokio::test]
async fn sns_publish_and_eventbridge_put_events_fail_in_their_own_protocols() {
    static MOTO: OnceLock<LocalServer> = OnceLock::new();
    let proxy = FaultProxy::start(&server(&MOTO, morale_localstack::moto::URL_ENV, LocalServer::moto)).await.unwrap();
    let sdk = morale_localstack::sdk_config(&proxy.url).await;
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::config::Builder::from(&sdk)
            .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
            .build(),
    );
    let topic = sns.create_topic().name("faults").send().await.unwrap().topic_arn.unwrap();
    proxy.plan(FaultPlan::one(&["Publish"], 1.0, Fault::Error { code: AwsError::ThrottlingException }));
    let err = sns.publish().topic_arn(&topic).message("m").send().await.expect_err("throttled");
    assert_eq!(aws_sdk_sns::error::ProvideErrorMetadata::code(&err), Some("Throttling"), "{err:?}");
    proxy.plan(FaultPlan::one(&["Publish"], 1.0, Fault::Error { code: AwsError::InternalServerError }));
    let err = sns.publish().topic_arn(&topic).message("m").send().await.expect_err("500");
    assert_eq!(aws_sdk_sns::error::ProvideErrorMetadata::code(&err), Some("InternalError"), "{err:?}");

    let events = aws_sdk_eventbridge::Client::from_conf(
        aws_sdk_eventbridge::config::Builder::from(&sdk)
            .retry_config(aws_sdk_eventbridge::config::retry::RetryConfig::disabled())
            .build(),
    );
    proxy.plan(FaultPlan::one(&["PutEvents"], 1.0, Fault::Error { code: AwsError::ThrottlingException }));
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .source("test")
        .detail_type("t")
        .detail("{}")
        .build();
    let err = events.put_events().entries(entry).send().await.expect_err("throttled");
    assert_eq!(aws_sdk_eventbridge::error::ProvideErrorMetadata::code(&err), Some("ThrottlingException"), "{err:?}");
    proxy.plan(FaultPlan::default());
    sns.publish().topic_arn(&topic).message("m").send().await.expect("no faults planned");
}

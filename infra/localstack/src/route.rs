//! Routing SES events on the local stack's EventBridge to a queue.

/// A rule for `source: aws.ses` (the pattern `template.yaml`'s rule uses) with an SQS queue as
/// its target, from which the caller reads what the rule routed — the local stand-in for the
/// rule's Lambda target. On a bus of its own (parallel tests stay apart) or the default bus.
use anyhow::{Context, Result};

pub struct EventRoute {
    pub bus_arn: String,
    name: String,
    bus: String,
    queue_url: String,
    sqs: aws_sdk_sqs::Client,
    eb: aws_sdk_eventbridge::Client,
}

impl EventRoute {
    pub async fn new(sdk: &aws_config::SdkConfig, name: &str, own_bus: bool) -> Result<Self> {
        let eb = aws_sdk_eventbridge::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let bus = if own_bus { name } else { "default" };
        let bus_arn = if own_bus {
            eb.create_event_bus().name(name).send().await.context("create bus")?.event_bus_arn.context("arn")?
        } else {
            crate::DEFAULT_BUS_ARN.to_string()
        };
        let queue_url =
            sqs.create_queue().queue_name(name).send().await.context("create queue")?.queue_url.context("url")?;
        let arn_attr = aws_sdk_sqs::types::QueueAttributeName::QueueArn;
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(arn_attr.clone())
            .send()
            .await
            .context("queue arn")?;
        let queue_arn = attrs.attributes.context("attributes")?[&arn_attr].clone();
        let rule = eb
            .put_rule()
            .name(name)
            .event_bus_name(bus)
            .event_pattern(r#"{"source": ["aws.ses"]}"#)
            .send()
            .await
            .context("rule")?;
        allow(&sqs, &queue_url, &queue_arn, "events.amazonaws.com", rule.rule_arn().unwrap_or_default()).await?;
        eb.put_targets()
            .rule(name)
            .event_bus_name(bus)
            .targets(
                aws_sdk_eventbridge::types::Target::builder().id("queue").arn(queue_arn).build().context("target")?,
            )
            .send()
            .await
            .context("target")?;
        Ok(Self { bus_arn, name: name.to_string(), bus: bus.to_string(), queue_url, sqs, eb })
    }

    /// What is on the queue now (each an EventBridge event), removed from it.
    pub async fn take(&self) -> Result<Vec<serde_json::Value>> {
        drain(&self.sqs, &self.queue_url)
            .await?
            .iter()
            .map(|body| serde_json::from_str(body).context("an event that is not JSON"))
            .collect()
    }

    /// Reads events until `n` have arrived (or 30 s pass), then two seconds more, so that
    /// an event too many would be seen.
    pub async fn collect(&self, n: usize) -> Result<Vec<serde_json::Value>> {
        let mut out = Vec::new();
        let mut deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut settled = false;
        while std::time::Instant::now() < deadline {
            if out.len() >= n && !settled {
                settled = true;
                deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
            }
            out.extend(self.take().await?);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(out)
    }

    /// Removes the rule, its target and the queue (and a bus of its own).
    pub async fn delete(self) -> Result<()> {
        self.eb
            .remove_targets()
            .rule(&self.name)
            .event_bus_name(&self.bus)
            .ids("queue")
            .send()
            .await
            .context("remove target")?;
        self.eb.delete_rule().name(&self.name).event_bus_name(&self.bus).send().await.context("delete rule")?;
        self.sqs.delete_queue().queue_url(&self.queue_url).send().await.context("delete queue")?;
        if self.bus != "default" {
            self.eb.delete_event_bus().name(&self.bus).send().await.context("delete bus")?;
        }
        Ok(())
    }
}

/// Receives and deletes every message on a queue now; their bodies, in the order received.
pub async fn drain(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    loop {
        let r =
            sqs.receive_message().queue_url(queue_url).max_number_of_messages(10).send().await.context("receive")?;
        let msgs = r.messages.unwrap_or_default();
        if msgs.is_empty() {
            return Ok(out);
        }
        for m in msgs {
            out.push(m.body.unwrap_or_default());
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(m.receipt_handle.unwrap_or_default())
                .send()
                .await
                .context("delete")?;
        }
    }
}

/// Lets an AWS service (EventBridge, SNS) send to a queue, from one source only. AWS needs it;
/// the local stack accepts it and does not check.
async fn allow(sqs: &aws_sdk_sqs::Client, queue_url: &str, queue_arn: &str, service: &str, source: &str) -> Result<()> {
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": source}}
        }]
    });
    sqs.set_queue_attributes()
        .queue_url(queue_url)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::Policy, policy.to_string())
        .send()
        .await
        .context("queue policy")?;
    Ok(())
}

/// An SNS topic with an SQS queue subscribed to it: the local stand-in for the people an
/// alert topic notifies, or a listener on a real topic for as long as it is needed.
pub struct TopicInbox {
    pub topic_arn: String,
    sqs: aws_sdk_sqs::Client,
    sns: aws_sdk_sns::Client,
    queue_url: String,
    subscription_arn: Option<String>,
}

impl TopicInbox {
    /// A topic named `name` (created if missing) and a queue of the same name subscribed to it.
    pub async fn new(sdk: &aws_config::SdkConfig, name: &str) -> Result<Self> {
        let sns = aws_sdk_sns::Client::new(sdk);
        let topic_arn = sns.create_topic().name(name).send().await.context("create topic")?.topic_arn.context("arn")?;
        Self::subscribe(sdk, &topic_arn, name).await
    }

    /// A queue named `queue_name` subscribed to an existing topic.
    pub async fn subscribe(sdk: &aws_config::SdkConfig, topic_arn: &str, queue_name: &str) -> Result<Self> {
        let sns = aws_sdk_sns::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let queue_url =
            sqs.create_queue().queue_name(queue_name).send().await.context("create queue")?.queue_url.context("url")?;
        let arn_attr = aws_sdk_sqs::types::QueueAttributeName::QueueArn;
        let attrs = sqs.get_queue_attributes().queue_url(&queue_url).attribute_names(arn_attr.clone()).send().await?;
        let arn = attrs.attributes.and_then(|mut a| a.remove(&arn_attr)).context("a queue arn")?;
        allow(&sqs, &queue_url, &arn, "sns.amazonaws.com", topic_arn).await?;
        let sub =
            sns.subscribe().topic_arn(topic_arn).protocol("sqs").endpoint(arn).send().await.context("subscribe")?;
        Ok(Self { topic_arn: topic_arn.into(), sqs, sns, queue_url, subscription_arn: sub.subscription_arn })
    }

    /// The messages published since the last call, as (subject, message), in order of arrival.
    pub async fn take(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for body in drain(&self.sqs, &self.queue_url).await? {
            let v: serde_json::Value = serde_json::from_str(&body)?;
            let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            out.push((field("Subject"), field("Message")));
        }
        Ok(out)
    }

    /// Unsubscribes and deletes the queue (the topic stays).
    pub async fn delete(self) -> Result<()> {
        if let Some(arn) = &self.subscription_arn {
            self.sns.unsubscribe().subscription_arn(arn).send().await.context("unsubscribe")?;
        }
        self.sqs.delete_queue().queue_url(&self.queue_url).send().await.context("delete queue")?;
        Ok(())
    }
}

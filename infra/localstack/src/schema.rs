//! The table schema, read from `template.yaml`: the one place it is defined.

use anyhow::{Context, Result, anyhow, bail};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use serde_yaml::Value;

/// The template, compiled in so that binaries and tests need no path to find it.
pub const TEMPLATE: &str = include_str!("../../../template.yaml");

/// The parts of the `AWS::DynamoDB::Table` resource that shape the table.
#[derive(Debug, Clone)]
pub struct TableSchema {
    pub attributes: Vec<(String, String)>,
    pub key: Vec<(String, String)>,
    pub indexes: Vec<IndexSchema>,
    pub billing_mode: String,
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexSchema {
    pub name: String,
    pub key: Vec<(String, String)>,
    pub projection: String,
}

impl TableSchema {
    /// Reads the one table resource from `template.yaml`.
    pub fn from_template() -> Result<Self> {
        Self::parse(TEMPLATE)
    }

    pub fn parse(template: &str) -> Result<Self> {
        let doc: Value = serde_yaml::from_str(template).context("template.yaml is not valid YAML")?;
        let resources = doc.get("Resources").and_then(Value::as_mapping).context("template.yaml has no Resources")?;
        let tables: Vec<&Value> = resources
            .values()
            .filter(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::DynamoDB::Table"))
            .collect();
        let [table] = tables.as_slice() else {
            bail!("template.yaml must define exactly one AWS::DynamoDB::Table, found {}", tables.len());
        };
        let props = table.get("Properties").context("the table resource has no Properties")?;
        let pairs = |v: Option<&Value>, a: &str, b: &str| -> Result<Vec<(String, String)>> {
            v.and_then(Value::as_sequence)
                .with_context(|| format!("expected a list with {a} and {b}"))?
                .iter()
                .map(|e| {
                    let x = e.get(a).and_then(Value::as_str).with_context(|| format!("missing {a}"))?;
                    let y = e.get(b).and_then(Value::as_str).with_context(|| format!("missing {b}"))?;
                    Ok((x.to_string(), y.to_string()))
                })
                .collect()
        };
        let attributes = pairs(props.get("AttributeDefinitions"), "AttributeName", "AttributeType")?;
        let key = pairs(props.get("KeySchema"), "AttributeName", "KeyType")?;
        let mut indexes = Vec::new();
        if let Some(gsis) = props.get("GlobalSecondaryIndexes").and_then(Value::as_sequence) {
            for g in gsis {
                indexes.push(IndexSchema {
                    name: g.get("IndexName").and_then(Value::as_str).context("an index without IndexName")?.into(),
                    key: pairs(g.get("KeySchema"), "AttributeName", "KeyType")?,
                    projection: g
                        .get("Projection")
                        .and_then(|p| p.get("ProjectionType"))
                        .and_then(Value::as_str)
                        .unwrap_or("ALL")
                        .into(),
                });
            }
        }
        let billing_mode = props.get("BillingMode").and_then(Value::as_str).unwrap_or("PROVISIONED").to_string();
        if billing_mode != "PAY_PER_REQUEST" {
            bail!("the table is expected to be on-demand (BillingMode: PAY_PER_REQUEST)");
        }
        let ttl_attribute = props
            .get("TimeToLiveSpecification")
            .filter(|t| t.get("Enabled").and_then(Value::as_bool) == Some(true))
            .and_then(|t| t.get("AttributeName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Self { attributes, key, indexes, billing_mode, ttl_attribute })
    }

    /// Creates a table named `name` with this schema and waits until it is active.
    pub async fn create_table(&self, client: &Client, name: &str) -> Result<()> {
        let key = |k: &[(String, String)]| -> Result<Vec<KeySchemaElement>> {
            k.iter()
                .map(|(a, t)| {
                    Ok(KeySchemaElement::builder().attribute_name(a).key_type(KeyType::from(t.as_str())).build()?)
                })
                .collect()
        };
        let mut req = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(key(&self.key)?));
        for (a, t) in &self.attributes {
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(a)
                    .attribute_type(ScalarAttributeType::from(t.as_str()))
                    .build()?,
            );
        }
        for i in &self.indexes {
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&i.name)
                    .set_key_schema(Some(key(&i.key)?))
                    .projection(
                        Projection::builder().projection_type(ProjectionType::from(i.projection.as_str())).build(),
                    )
                    .build()?,
            );
        }
        req.send().await.map_err(|e| anyhow!(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()))?;
        if let Some(attr) = &self.ttl_attribute {
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder().attribute_name(attr).enabled(true).build()?,
                )
                .send()
                .await
                .map_err(|e| anyhow!(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use morale::store::INDEX_DUE;

    #[test]
    fn the_template_defines_what_the_store_uses() {
        let s = TableSchema::from_template().unwrap();
        assert_eq!(s.key, vec![("PK".into(), "HASH".into()), ("SK".into(), "RANGE".into())]);
        let due = s.indexes.iter().find(|i| i.name == INDEX_DUE).expect("the due index");
        assert_eq!(due.key, vec![("due_kind".into(), "HASH".into()), ("due_at".into(), "RANGE".into())]);
        assert_eq!(due.projection, "ALL");
        assert!(s.attributes.contains(&("due_at".into(), "N".into())));
        assert_eq!(s.ttl_attribute.as_deref(), Some("expires_at"));
    }

    #[test]
    fn rejects_templates_without_exactly_one_table() {
        let err = TableSchema::parse("Resources: {}\n").unwrap_err();
        assert!(err.to_string().contains("exactly one"), "{err}");
    }
}

//! A function's role as `template.yaml` grants it, held against each of its DynamoDB requests.
//! DynamoDB Local checks no permission: without this, a call the role does not allow works
//! here and fails only once deployed. The proxy in front of a function's table (see
//! [`crate::FaultProxy::holding`]) answers such a call as AWS does, with AccessDeniedException.

use crate::{ACCOUNT, REGION, cfn};
use anyhow::{Context, Result, bail};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// The DynamoDB grants of one function's role.
#[derive(Debug, Clone)]
pub struct Role {
    /// The template's resource the role is for, named in a refusal.
    pub function: String,
    statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
struct Statement {
    actions: Vec<String>,
    resources: Vec<String>,
}

impl Role {
    /// The statements of `resource`'s inline policies that grant DynamoDB actions, their
    /// resources resolved from `values`. A policy of another form (a SAM policy template, a
    /// managed policy) or a `Deny` is an error: the local stack would have to guess it.
    pub fn from_template(resource: &str, values: &HashMap<&str, String>) -> Result<Self> {
        let doc = cfn::template()?;
        let function = doc["Resources"].get(resource).with_context(|| format!("template.yaml has no {resource}"))?;
        let mut statements = Vec::new();
        for policy in cfn::one_or_many(&function["Properties"]["Policies"]) {
            let list =
                policy.get("Statement").with_context(|| format!("{resource}: a policy not inline: {policy:?}"))?;
            for s in cfn::one_or_many(list) {
                let actions: Vec<String> =
                    cfn::one_or_many(&s["Action"]).iter().filter_map(|a| a.as_str()).map(str::to_string).collect();
                if !actions.iter().any(|a| a.to_ascii_lowercase().starts_with("dynamodb:")) {
                    continue;
                }
                if s["Effect"].as_str() != Some("Allow") {
                    bail!("{resource}: a DynamoDB statement that does not allow: {s:?}");
                }
                let resources = cfn::one_or_many(&s["Resource"])
                    .into_iter()
                    .map(|r| cfn::resolve(resource, r, values))
                    .collect::<Result<_>>()?;
                statements.push(Statement { actions, resources });
            }
        }
        Ok(Self { function: resource.to_string(), statements })
    }

    /// Whether a statement allows `action` on `resource`.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.statements.iter().any(|s| {
            s.actions.iter().any(|a| matches(&a.to_ascii_lowercase(), &action.to_ascii_lowercase()))
                && s.resources.iter().any(|r| matches(r, resource))
        })
    }

    /// The first action of a DynamoDB request the role does not allow, and on what.
    pub fn refuses(&self, operation: &str, body: &[u8]) -> Option<(String, String)> {
        needs(operation, body).into_iter().find(|(action, on)| !self.allows(action, on))
    }

    /// DynamoDB's answer to a request the role does not allow.
    pub fn refusal(&self, action: &str, resource: &str) -> Response {
        let f = &self.function;
        let message = format!(
            "User: arn:aws:sts::{ACCOUNT}:assumed-role/{f}Role/{f} is not authorized to perform: {action} on \
             resource: {resource} because no identity-based policy allows the {action} action"
        );
        let body = serde_json::json!({"__type": "com.amazon.coral.service#AccessDeniedException", "Message": message});
        (StatusCode::BAD_REQUEST, [("content-type", "application/x-amz-json-1.0")], body.to_string()).into_response()
    }
}

/// What IAM checks for one DynamoDB request: each action, and the table or index it acts on.
/// A transaction has no action of its own: each of its items is checked as its own call.
pub fn needs(operation: &str, body: &[u8]) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let arn = |table: Option<&str>, index: Option<&str>| match (table, index) {
        (Some(t), Some(i)) => format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{t}/index/{i}"),
        (Some(t), None) => format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{t}"),
        (None, _) => "*".into(),
    };
    match operation {
        "TransactWriteItems" | "TransactGetItems" => {
            let items = v["TransactItems"].as_array().into_iter().flatten().filter_map(|i| i.as_object());
            items
                .flatten()
                .map(|(kind, item)| {
                    let action = match kind.as_str() {
                        "ConditionCheck" => "ConditionCheckItem",
                        "Put" => "PutItem",
                        "Update" => "UpdateItem",
                        "Delete" => "DeleteItem",
                        "Get" => "GetItem",
                        other => other,
                    };
                    (format!("dynamodb:{action}"), arn(item["TableName"].as_str(), None))
                })
                .collect()
        }
        "BatchWriteItem" | "BatchGetItem" => {
            let tables = v["RequestItems"].as_object().into_iter().flatten().map(|(t, _)| t);
            tables.map(|t| (format!("dynamodb:{operation}"), arn(Some(t), None))).collect()
        }
        op => vec![(format!("dynamodb:{op}"), arn(v["TableName"].as_str(), v["IndexName"].as_str()))],
    }
}

/// IAM's wildcards: `*` any run of characters, `?` any one.
fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // The last `*` seen, and where in the text it was tried; backtrack to it on a mismatch.
    let (mut i, mut j, mut star) = (0, 0, None);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            (i, j) = (i + 1, j + 1);
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            (i, j) = (si + 1, sj + 1);
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lambda::StackValues;

    fn values() -> HashMap<&'static str, String> {
        StackValues {
            table: "morale",
            alert_topic: "arn:aws:sns:us-east-1:123456789012:alerts",
            configuration_set: "morale",
            token_keys_parameter: "/morale/token-keys",
            voter_key_parameter: "/morale/voter-key",
        }
        .resolved()
    }

    const TABLE: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/morale";

    #[test]
    fn wildcards_match_as_iam_matches_them() {
        assert!(matches("arn:aws:dynamodb:*:*:table/morale", TABLE));
        assert!(matches("arn:aws:dynamodb:us-east-1:123456789012:table/morale*", TABLE));
        assert!(matches("*", TABLE));
        assert!(matches("dynamodb:?etitem", "dynamodb:getitem"));
        assert!(!matches("arn:aws:dynamodb:us-east-1:123456789012:table/morale", &format!("{TABLE}/index/due")));
        assert!(!matches("arn:aws:dynamodb:*:table/other", TABLE));
        assert!(!matches("dynamodb:get*", "dynamodb:putitem"));
    }

    #[test]
    fn a_transaction_is_checked_item_by_item_and_an_index_query_on_the_index() {
        let body = br#"{"TransactItems":[{"ConditionCheck":{"TableName":"morale"}},{"Put":{"TableName":"morale"}}]}"#;
        let needed = needs("TransactWriteItems", body);
        assert_eq!(
            needed,
            [("dynamodb:ConditionCheckItem".to_string(), TABLE.to_string()), ("dynamodb:PutItem".into(), TABLE.into())]
        );
        let needed = needs("Query", br#"{"TableName":"morale","IndexName":"due"}"#);
        assert_eq!(needed, [("dynamodb:Query".to_string(), format!("{TABLE}/index/due"))]);
    }

    #[test]
    fn each_function_is_held_to_what_its_role_grants_and_nothing_more() {
        let sender = Role::from_template("SenderFunction", &values()).unwrap();
        assert!(sender.allows("dynamodb:Query", &format!("{TABLE}/index/due")));
        assert!(sender.allows("dynamodb:DeleteItem", TABLE));
        assert!(!sender.allows("dynamodb:Scan", TABLE), "no function lists every team");
        assert!(!sender.allows("dynamodb:DeleteItem", "arn:aws:dynamodb:us-east-1:123456789012:table/other"));
        let api = Role::from_template("ResponseApiFunction", &values()).unwrap();
        assert!(!api.allows("dynamodb:Query", &format!("{TABLE}/index/due")), "the API reads no due index");
        assert!(!api.allows("dynamodb:DeleteItem", TABLE), "the API forgets nothing");
        let refused = api.refuses("DeleteItem", br#"{"TableName":"morale"}"#);
        assert_eq!(refused, Some(("dynamodb:DeleteItem".into(), TABLE.into())));
    }
}

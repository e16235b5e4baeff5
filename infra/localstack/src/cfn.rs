//! What CloudFormation makes of the template's values: `!Ref`, `!GetAtt` and `!Sub`, each name
//! looked up in the values a local stack chooses (see [`crate::lambda::StackValues`]).

use anyhow::{Context, Result, bail};
use serde_yaml::Value;
use std::collections::HashMap;

/// The template, parsed.
pub fn template() -> Result<Value> {
    Ok(serde_yaml::from_str(crate::schema::TEMPLATE)?)
}

/// `v` resolved for `resource`'s use. A name `values` does not know is an error: the template
/// must say everything, and the local stack must not guess.
pub fn resolve(resource: &str, v: &Value, values: &HashMap<&str, String>) -> Result<String> {
    let lookup =
        |name: &str| values.get(name).cloned().with_context(|| format!("{resource}: no local value for {name}"));
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Tagged(t) if t.tag == "Ref" || t.tag == "GetAtt" => lookup(t.value.as_str().unwrap_or_default()),
        Value::Tagged(t) if t.tag == "Sub" => {
            let mut out = String::new();
            let mut rest = t.value.as_str().context("!Sub of a string")?;
            while let Some(i) = rest.find("${") {
                let end = rest[i..].find('}').context("an unclosed ${")? + i;
                out.push_str(&rest[..i]);
                out.push_str(&lookup(&rest[i + 2..end])?);
                rest = &rest[end + 1..];
            }
            Ok(out + rest)
        }
        other => bail!("{resource}: a value of an unexpected shape: {other:?}"),
    }
}

/// A value that may be one item or a list of them, as IAM's `Action` and `Resource` are.
pub fn one_or_many(v: &Value) -> Vec<&Value> {
    match v {
        Value::Sequence(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

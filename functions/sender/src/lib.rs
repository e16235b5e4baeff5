//! The sender Lambda's handler. Not implemented yet: it answers every invocation with an error
//! rather than pretend to have done its work.

use serde_json::Value;

#[derive(Debug)]
pub struct NotImplemented;

impl std::fmt::Display for NotImplemented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not implemented: the sender function has not been built yet")
    }
}

impl std::error::Error for NotImplemented {}

pub async fn handle(_event: Value) -> Result<Value, lambda_runtime::Error> {
    Err(NotImplemented.into())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn says_it_is_not_implemented() {
        let err = super::handle(serde_json::json!({})).await.unwrap_err();
        assert!(err.to_string().contains("not implemented"));
    }
}

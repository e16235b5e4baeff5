//! Serving the response API on 127.0.0.1, for the local stack, the demo and browser tests.

use crate::{HttpRequest, ResponseApi};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

async fn handle(
    State(api): State<Arc<ResponseApi>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let req = HttpRequest {
        method: method.as_str().to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        accept: header("accept"),
        content_type: header("content-type"),
        body: body.to_vec(),
    };
    let resp = api.handle(&req).await;
    let mut out =
        (StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), resp.body).into_response();
    for (k, v) in resp.headers {
        if let Ok(v) = v.parse() {
            out.headers_mut().insert(k, v);
        }
    }
    out
}

/// Serves `api` on 127.0.0.1:`port` (0: a free port) on the current runtime until the
/// returned task is aborted or the runtime ends.
pub async fn serve(api: Arc<ResponseApi>, port: u16) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let router = axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_BODY + 1))
        .with_state(api);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}

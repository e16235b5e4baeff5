//! Serving the response API's router on 127.0.0.1, for the local stack, the demo and browser
//! tests: the same router Lambda runs.

use crate::ResponseApi;
use std::net::SocketAddr;
use std::sync::Arc;

/// Serves `api` on 127.0.0.1:`port` (0: a free port) on the current runtime until the
/// returned task is aborted or the runtime ends.
pub async fn serve(api: Arc<ResponseApi>, port: u16) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let router = crate::router(api);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}

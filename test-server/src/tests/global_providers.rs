//! The global notifications whose providers the test server models only in part, raised on
//! demand (`GL_APPLICATION_PRELOAD`, `GL_RSCA_QUERY`), received by a framework global module
//! through the provider's own methods (`GlobalContext` dereferences to the provider): what
//! they carry, what the test server leaves out (a preload cannot create a context), and what
//! a module answers a run-time query with. `GL_CACHE_OPERATION`'s arguments are recorded by
//! the example `notifications_module` (`tests/tests/test_server.rs`).

use alloc::format;
use alloc::vec::Vec;

use httpserv_framework::module::{GlobalContext, GlobalModule, GlobalNotification};

use super::Log;
use crate::runtime::{E_NOTIMPL, S_FALSE, S_OK};
use crate::*;
use crate::{Raised, TestServer};

/// Records what each provider says; answers run-time queries.
struct Operator {
    log: Log,
}

#[httpserv_framework::module]
impl GlobalModule for Operator {
    fn on_application_preload(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalApplicationPreloadProvider>,
    ) -> GlobalNotification {
        let created = ctx.create_context().err().map(|error| error.code());
        self.log
            .push(format!("preload {}", created == Some(E_NOTIMPL)));
        GlobalNotification::Continue
    }

    fn on_rsca_query(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalRSCAQueryProvider>,
    ) -> GlobalNotification {
        let function = ctx
            .function_name()
            .map(|name| name.to_string_lossy())
            .unwrap_or_default();
        let parameters = ctx
            .function_parameters()
            .map(|name| name.to_string_lossy())
            .unwrap_or_default();
        self.log.push(format!("rsca {function}({parameters})"));
        if function != "Status" {
            ctx.set_result(0, S_FALSE);
            return GlobalNotification::Continue;
        }
        let answer = format!("ok: {parameters}");
        let Ok(buffer) = ctx.output_buffer(64) else {
            return GlobalNotification::Continue;
        };
        buffer[..answer.len()].copy_from_slice(answer.as_bytes());
        ctx.set_result(answer.len() as u32, S_OK);
        GlobalNotification::Handled
    }
}

fn server(log: &Log) -> TestServer {
    let operator = Operator { log: log.clone() };
    TestServer::new().load_with("operator", move |r| r.global_module(operator))
}

#[test]
fn a_run_time_query_is_answered_through_the_output_buffer() {
    let log = Log::default();
    let server = server(&log);
    let raised = server.rsca_query("Status", "verbose=1");
    assert_eq!(
        raised,
        Raised {
            trace: ["notify GL_RSCA_QUERY operator".into()].into(),
            handled: true,
            error: None,
            result: Some((b"ok: verbose=1".to_vec(), S_OK)),
        }
    );
    // Without an output buffer, the result still comes back, with no bytes.
    assert_eq!(
        server.rsca_query("Other", "").result,
        Some((Vec::new(), S_FALSE))
    );
    assert_eq!(log.take(), ["rsca Status(verbose=1)", "rsca Other()"]);
}

#[test]
fn preload_carries_what_the_server_models() {
    let log = Log::default();
    let server = server(&log);
    assert_eq!(
        server.application_preload().trace,
        ["notify GL_APPLICATION_PRELOAD operator"]
    );
    assert_eq!(log.take(), ["preload true"]);
}

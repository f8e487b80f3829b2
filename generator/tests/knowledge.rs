//! The knowledge tables cannot drift from the header: every IIS rule names exactly one
//! declaration of `headers/httpserv.h` (a renamed method or a typo in a row fails here
//! instead of silently dropping the rule), and the checker itself reports rows that do not.

use generator::knowledge::{unmatched, Fact, Lifetime, Rule, Subject, RULES};
use generator::parse::{parse, ParseOptions};
use std::path::PathBuf;

fn httpserv_api() -> generator::ir::Api {
    let header = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../headers/httpserv.h");
    parse(&ParseOptions::debian(&header)).expect("headers/httpserv.h parses")
}

#[test]
fn every_iis_rule_names_one_declaration_of_the_header() {
    let api = httpserv_api();
    assert!(RULES.len() > 40, "the table lost its rows");
    let problems = unmatched(&api, RULES);
    assert!(
        problems.is_empty(),
        "rows matching no declaration: {problems:#?}"
    );
}

#[test]
fn rows_that_match_nothing_are_reported() {
    let api = httpserv_api();
    let typos = [
        Rule {
            subject: Subject::Class("IHttpContxt"),
            fact: Fact::RequestOwned,
        },
        Rule {
            subject: Subject::Method("IHttpContext", "PostCompletions"),
            fact: Fact::ResumesPipeline,
        },
        Rule {
            subject: Subject::Parameter(
                "IHttpModuleRegistrationInfo",
                "SetRequestNotifications",
                "pFactory",
            ),
            fact: Fact::TakesOwnership,
        },
        // A lifetime on a method that returns something is never applied.
        Rule {
            subject: Subject::Method("IHttpContext", "GetResponse"),
            fact: Fact::Lifetime(Lifetime::Release),
        },
        // A release the handed-out object does not have.
        Rule {
            subject: Subject::Parameter("IHttpContext", "CloneContext", "ppHttpContext"),
            fact: Fact::ReleasedBy("ReleaseClonedContexts"),
        },
        // An object IIS takes over whose class says nothing of IIS's threads.
        Rule {
            subject: Subject::Parameter("IMapHandlerProvider", "SetScriptMap", "pScriptMap"),
            fact: Fact::TakesOwnership,
        },
    ];
    let problems = unmatched(&api, &typos);
    assert_eq!(problems.len(), typos.len(), "{problems:#?}");
}

#[test]
fn rules_apply_to_derived_classes() {
    let api = httpserv_api();
    // IHttpContext3 declares PostCompletion again; the IHttpContext row covers it.
    assert!(api
        .class("IHttpContext3")
        .is_some_and(|c| c.methods.iter().any(|m| m.name == "PostCompletion")));
    assert!(generator::policy::resumes_the_pipeline(
        &api,
        "IHttpContext3",
        "PostCompletion"
    ));
    assert!(generator::policy::request_owned(&api, "IHttpResponse4"));
    assert!(!generator::policy::request_owned(&api, "IHttpServer"));
}

//! moralectl against the local stack: bad input is rejected with a message naming the bad
//! value, and nothing is stored.

use morale::domain::TeamId;
use morale::store::Store;
use morale_tests::{TestTable, moto_url};
use std::process::{Command, Output};

fn ctl(table: &TestTable, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moralectl"))
        .args(["--local", "--endpoint", &moto_url(), "--table", &table.name])
        .args(args)
        .output()
        .expect("run moralectl")
}

#[tokio::test]
async fn bad_input_is_rejected_naming_the_value_and_nothing_is_stored() {
    let table = TestTable::new().await;
    let cases: &[(&[&str], &str)] = &[
        (&["team", "create", "Bad Team", "--zone", "Europe/London"], "Bad Team"),
        (&["team", "create", "ok", "--zone", "Mars/Olympus_Mons"], "Mars/Olympus_Mons"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--time", "25:00"], "25:00"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--workdays", ""], "workdays"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--workdays", "funday"], "funday"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--admin", "lead@"], "lead@"),
    ];
    for (args, named) in cases {
        let out = ctl(&table, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains(named), "{args:?}: the error should name {named:?}: {stderr}");
    }
    assert!(table.store.list_teams().await.unwrap().is_empty(), "nothing stored");

    let ok = ctl(&table, &["team", "create", "ok", "--zone", "Europe/London", "--time", "09:30"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = ctl(&table, &["member", "add", "ok", "not-an-address"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-an-address"));
    let out = ctl(&table, &["member", "add", "nosuchteam", "ana@example.com"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no team nosuchteam"));
    let team = TeamId::parse("ok").unwrap();
    assert!(table.store.list_members(&team).await.unwrap().is_empty(), "no member stored");
    // Adding the same member twice: the second is refused, the first kept.
    assert!(ctl(&table, &["member", "add", "ok", "ana@example.com"]).status.success());
    let again = ctl(&table, &["member", "add", "ok", "ANA@example.com"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(table.store.list_members(&team).await.unwrap().len(), 1);
}

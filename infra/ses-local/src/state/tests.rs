use super::*;

#[test]
fn simulator_addresses() {
    assert_eq!(simulator_outcome("bounce@simulator.amazonses.com"), Some(Outcome::PermanentBounce));
    assert_eq!(simulator_outcome("bounce+label-1@simulator.amazonses.com"), Some(Outcome::PermanentBounce));
    assert_eq!(simulator_outcome("complaint@simulator.amazonses.com"), Some(Outcome::Complaint));
    assert_eq!(simulator_outcome("ooto@simulator.amazonses.com"), Some(Outcome::Delivery));
    assert_eq!(simulator_outcome("suppressionlist@simulator.amazonses.com"), Some(Outcome::SuppressionListBounce));
    assert_eq!(simulator_outcome("bounce@example.com"), None);
}

#[test]
fn identity_lookup_falls_back_to_domains() {
    let mut s = Inner::new(Account { max_send_rate: 10.0, max_24_hour_send: 100.0, ..Account::default() });
    s.identities.insert("morale.example".into(), Identity::new("morale.example", true));
    assert_eq!(s.identity_for("noreply@morale.example").unwrap().name, "morale.example");
    assert_eq!(s.identity_for("noreply@mail.morale.example").unwrap().name, "morale.example");
    assert!(s.identity_for("noreply@other.example").is_none());
    assert!(s.identity_for("noreply@example").is_none());
}

#[test]
fn the_rate_window_counts_recipients() {
    let mut s = Inner::new(Account { max_send_rate: 3.0, max_24_hour_send: 5.0, ..Account::default() });
    s.admit(2).unwrap();
    assert_eq!(s.admit(2).unwrap_err().message, RATE_EXCEEDED);
    s.admit(1).unwrap();
    std::thread::sleep(SECOND);
    s.admit(2).unwrap();
    assert_eq!(s.admit(1).unwrap_err().message, DAILY_EXCEEDED);
    assert_eq!(s.sent_last_24h(), 5);
}

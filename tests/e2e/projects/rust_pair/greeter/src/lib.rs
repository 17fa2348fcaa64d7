//! Greets with the greeting it was installed with.

use std::cell::RefCell;

thread_local! {
    static GREETING: RefCell<String> = const { RefCell::new(String::new()) };
}

#[ic_cdk::init]
fn init(greeting: String) {
    GREETING.with(|g| *g.borrow_mut() = greeting);
}

#[ic_cdk::query]
fn greet(name: String) -> String {
    GREETING.with(|g| format!("{}, {name}!", g.borrow()))
}

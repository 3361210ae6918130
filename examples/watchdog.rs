//! A program that hangs on purpose, and the watchdog that names why.
//!
//! Two workers take two *unranked* locks in opposite orders and really deadlock: learning the
//! order of unranked locks (see `lock_rank::observed`) would report the second order before it
//! blocks, so this program turns it off, to show what a hang that nothing caught looks like. The watchdog notices the blocked acquires, finds the cycle of
//! threads waiting for each other, and prints it with every acquisition site. Then this program
//! exits, since the two workers will never wake up.
//!
//! Run: `cargo run --example watchdog`

use std::process;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use lock_rank::watchdog::Finding;
use lock_rank::Mutex;

fn main() {
    if !lock_rank::CHECKS_ENABLED {
        eprintln!("lock-rank checks are off in this build, so nothing is recorded for the watchdog to read.");
        process::exit(2);
    }
    let _watchdog = lock_rank::watchdog::start_with(Duration::from_millis(200), |finding| {
        println!("{finding}\n");
        if let Finding::Deadlock(_) = finding {
            println!("{}", lock_rank::dump());
            println!("the watchdog found the deadlock; exiting");
            process::exit(0);
        }
    });

    lock_rank::observed::set_learning(false);
    let inventory: Arc<Mutex<u32>> = Arc::new(Mutex::new(10));
    let orders: Arc<Mutex<Vec<u32>>> = Arc::new(Mutex::new(Vec::new()));
    let both_hold_one = Arc::new(Barrier::new(2));

    let packer = {
        let (inventory, orders, barrier) =
            (Arc::clone(&inventory), Arc::clone(&orders), Arc::clone(&both_hold_one));
        thread::Builder::new().name("packer".into()).spawn(move || {
            let mut stock = inventory.lock().unwrap();
            barrier.wait();
            let mut queue = orders.lock().unwrap(); // waits for `clerk` forever
            queue.push(1);
            *stock -= 1;
        })
    };
    let clerk = {
        let (inventory, orders, barrier) =
            (Arc::clone(&inventory), Arc::clone(&orders), Arc::clone(&both_hold_one));
        thread::Builder::new().name("clerk".into()).spawn(move || {
            let mut queue = orders.lock().unwrap();
            barrier.wait();
            let stock = inventory.lock().unwrap(); // waits for `packer` forever
            queue.push(*stock);
        })
    };
    let (_packer, _clerk) = (packer.expect("spawn packer"), clerk.expect("spawn clerk"));

    thread::sleep(Duration::from_secs(10));
    eprintln!("the watchdog did not report the deadlock within 10 s");
    process::exit(1);
}

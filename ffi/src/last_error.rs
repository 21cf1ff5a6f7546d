//! The last failure on each thread, kept so `bistand_last_error` can say precisely what went
//! wrong ("malformed JSON at line 3 column 7") where a status code only names the kind.
//!
//! Thread-local, so threads sharing one engine never see each other's failures. Every fallible
//! call except the two message functions clears it on entry and sets it on failure.

use std::cell::RefCell;

use crate::status::Failure;

thread_local! {
    static LAST: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Forgets the last failure of this thread.
pub(crate) fn clear() {
    // `try_with`: during thread teardown the slot may be gone; there is nothing to clear then.
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = None;
        }
    });
}

/// Records `failure` as this thread's last failure.
pub(crate) fn set(failure: Failure) {
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some(failure);
        }
    });
}

/// Runs `f` with this thread's last failure, if any.
pub(crate) fn with<T>(f: impl FnOnce(Option<&Failure>) -> T) -> T {
    let mut f = Some(f);
    let result = LAST.try_with(|last| {
        let f = f.take().expect("try_with runs its closure at most once");
        match last.try_borrow() {
            Ok(last) => f(last.as_ref()),
            Err(_) => f(None),
        }
    });
    match result {
        Ok(value) => value,
        Err(_) => (f
            .take()
            .expect("the closure did not run, so it is still here"))(None),
    }
}

#[cfg(test)]
mod tests {
    use bistand_core::Language;

    use super::*;
    use crate::status::bistand_status;

    #[test]
    fn set_clear_and_per_thread() {
        set(Failure::null("doc"));
        assert_eq!(
            with(|f| f.map(Failure::status)),
            Some(bistand_status::BISTAND_NULL_POINTER)
        );
        std::thread::spawn(|| assert!(with(|f| f.is_none())))
            .join()
            .expect("thread ran");
        assert_eq!(
            with(|f| f.map(|f| f.message(Language::English).to_owned())),
            Some("`doc` is NULL; pass a valid pointer".to_owned())
        );
        clear();
        assert!(with(|f| f.is_none()));
    }
}

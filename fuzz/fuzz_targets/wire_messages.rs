#![no_main]
// The body lives in the library (accrochage::fuzzing) so that the stable smoke test runs it too.
libfuzzer_sys::fuzz_target!(|data: &[u8]| accrochage::fuzzing::wire_messages(data));

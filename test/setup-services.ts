// Integration and end-to-end tests talk to real services; their first call may wait on a
// broker election or a JIT-cold registry (a write side registers ~30 schemas per fresh topic
// prefix), so they get a longer budget than unit tests.
jest.setTimeout(120_000);

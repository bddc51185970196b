// Package fake is an in-memory simulator of Apache Fineract's clients API
// (/fineract-provider/api/v1/clients...), faithful to the wire facts in
// fineract-facts.md for the 1.8, 1.9 and 1.10 lines. The proxy is tested and
// demonstrated against it (lmsproxy dev) because no real Fineract is
// reachable from CI; so it reproduces the upstream's quirks rather than
// idealising them: texts byte for byte including "(sic)" typos, SQL LIKE
// filters, version-dependent body shapes and error writers, and the order in
// which the upstream checks things.
//
// Deliberate modelling choices, where the facts leave room:
//
//   - Collation. Fineract's default database is MariaDB with a
//     case-insensitive collation, so externalId lookups, LIKE filters and the
//     unique indexes on external_id, mobile_no and account_no compare case
//     insensitively (simple case folding). A proxy that needs exact matches
//     must verify them itself.
//   - Unknown paths, unparseable numeric path or query parameters (JAX-RS
//     answers 404 when it cannot convert them), the external-id routes on 1.8,
//     a wrong method (405) and a non-JSON Content-Type (415) are answered with
//     Spring Boot's default error JSON, which is what Jersey's sendError
//     produces behind Spring Boot.
//   - Errors the upstream leaves unmapped (a non-numeric Long such as
//     closureReasonId "x", an orderBy naming no column, an unparseable sqlSearch)
//     are a 500 with Spring Boot's default error JSON.
//   - Row order. Without orderBy the list's SQL has no ORDER BY, so its rows
//     (and the ties of an orderBy column that is not unique) come in an
//     order that is stable for one offset and limit but scrambled, and
//     different for another: a client paging without a total order sees
//     repeats and gaps, as a database is free to give it.
//   - Malformed JSON messages carry Go's parser message after the fixed
//     prefix; the upstream carries Gson's. Nobody should parse that tail.
//   - Commands that need entities the simulator does not model (assignStaff,
//     unassignStaff, updateSavingsAccount and the transfer commands) are
//     answered like an unknown command; every id of a group, staff, savings
//     product, or Gender/ClientType/ClientClassification code value is
//     unknown (404), because none exist here.
//   - Body members the simulator accepts but ignores: address, familyMembers,
//     datatables, clientNonPersonDetails, active/activationDate on update.
//   - Maker-checker is on globally; SetMakerChecker enables it per command.
//     Command ids count held commands only (the upstream's count every
//     command source row). The held answer per line is in approvalResult.
//   - Loans: individual, single-tranche, monthly loans of the seeded
//     products, submitted, approved, disbursed (in full), undone, rejected,
//     withdrawn and deleted through /loans, repaid and written off through
//     /loans/{id}/transactions; no charges, accounting, COB, transfers,
//     holidays or interest recalculation. Schedules follow the outline of
//     facts §14.3, not Fineract's generators penny for penny; repayments are
//     allocated by the mifos standard strategy over them (loan_ledger.go),
//     a back-dated one replaying the later ones. AddLoan seeds one in any
//     state.
//   - Databases: Options.Database picks PostgreSQL (the default) or
//     MySQL/MariaDB for the answers that quote or match the driver's
//     message (a duplicate transaction external id, a value too long for
//     its column); the collation above applies to both.
//   - Idempotency-Key (1.9+): a repeat of a command that is still running
//     is answered 425 at once, without the upstream's retries;
//     PauseCommand holds one in flight.
//   - Batches (POST /batches): the strategies of each line that the
//     simulated resources serve; an enclosing transaction restores the
//     whole simulated database (sequences excepted) when a request fails.
//     The shape of that answer is derived from BatchApiServiceImpl and the
//     upstream's integration tests, not seen on a server.
//   - Business date: off by default, so it is the tenant's local date
//     (Options.TimeZone, UTC unless set) of the host clock; SetBusinessDate
//     stands in for POST /businessdate, and enable_business_date is the only
//     global configuration served (any other name is a 500).
//
// Every route answers under BasePath; registry.go lists the resources, see
// Server for the test hooks and seed.go for the seeded office, code values,
// clients, loan products and loan.
package fake

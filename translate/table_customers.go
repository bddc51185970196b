package translate

// customerRules are the translation rows for the upstream's clients: the
// codes only a client operation (or a body reference to a customer) draws.
// assemble puts each row in the shared table's slot for its status.
var customerRules = rowsAbout(Customers, []Rule{
	{Status: "400", Code: "error.msg.clients.*.in.the.future", Partner: Unavailable, Message: msgBusinessDate,
		Note: "activation or submission date after the upstream's business date: the proxy chose it, and a retry after its business-date cache (30 s) or the tenant's midnight succeeds"},

	{Status: "404", Code: "error.msg.codevalue.codename.id.combination.invalid", Partner: InvalidArgument,
		Field: "closureReasonId", Message: "unknown closure reason",
		Note: "unknown code value: the closure reason is the only one the partner chooses"},
	{Status: "404", Code: "error.msg.client.has.no.staff", Partner: Internal, Message: msgNotAccepted},
	{Status: "404", Code: "error.msg.client.*", Partner: NotFound, Message: "Customer {target} does not exist",
		Note: "id.invalid (every line, `identifier null` by externalId), not.found.with.client.id (1.9+)"},

	{Status: "403", Code: "error.msg.client.active.for.update.parameter.*", Partner: Internal, Message: msgNotAccepted,
		Note: "a parameter the proxy never sends"},
	{Status: "403", Code: "error.msg.client.duplicate.externalId", Partner: Aborted,
		Message: "Customer with {externalId|this externalId} already exists (or one differing from it only in letter case)",
		Note:    "uniqueness follows the database collation, case-insensitive by default; lookups stay exact"},
	{Status: "403", Code: "error.msg.client.duplicate.mobileNo", Partner: Aborted,
		Message: "Customer with this mobileNo already exists", Note: "value not shown: the partner never sends one"},
	{Status: "403", Code: "error.msg.client.duplicate.accountNo", Partner: Aborted,
		Message: "Customer with this accountNo already exists", Note: "value not shown: the partner never sends one"},
	{Status: "403", Code: "error.msg.client.unknown.data.integrity.issue", Partner: Aborted,
		Message: "the change conflicts with data held by the loan management system",
		Note:    "1.9+ appends raw database text: never shown"},
	{Status: "403", Code: "error.msg.clients.cannot.be.deleted", Partner: Aborted,
		Message: "Customer {target} cannot be deleted as it is not in Pending state"},
	{Status: "403", Code: "error.msg.client.close.is.already.closed", Partner: Aborted,
		Message: "Customer is already closed"},
	{Status: "403", Code: "error.msg.client.close.is.under.transfer", Partner: Aborted,
		Message: "Customer cannot be closed while under transfer"},
	{Status: "403", Code: "error.msg.client.close.loan.non-closed", Partner: Aborted,
		Message: "Customer cannot be closed because of non-closed loans"},
	{Status: "403", Code: "error.msg.client.close.loan.overpaid", Partner: Aborted,
		Message: "Customer cannot be closed because of overpaid loans"},
	{Status: "403", Code: "error.msg.client.close.non-closed.savings.account", Partner: Aborted,
		Message: "Customer cannot be closed because of non-closed savings accounts"},
	{Status: "403", Code: "error.msg.client.close.date.cannot.before.loan.closed.date", Partner: Aborted,
		Message: "Customer cannot be closed on a date before one of its loans was closed"},
	{Status: "403", Code: "error.msg.client.close.date.cannot.before.client.act*vation.date", Partner: InvalidArgument,
		Field: "closureDate", Message: "must not be before the activation date {date}",
		Note: "the upstream spells it `actvation`; the pattern also takes the corrected spelling"},
	{Status: "403", Code: "error.msg.client.not.active.exception", Partner: Aborted,
		Message: "Customer {target} is not active"},
})

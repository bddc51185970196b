package fake

import "encoding/json"

// PUT /loans/{loanId} and, from 1.9, /loans/external-id/{x}: modify an
// application (LoanApplicationWritePlatformServiceJpaRepositoryImpl
// .modifyApplication, fineract-provider/.../loanaccount/service/, 1.8.4 and
// 1.10.1; facts §6.1). Only a Submitted loan can be modified. Fineract
// validates each member only when present but recalculates the schedule
// from the PUT body alone, so a partial body fails deep inside it; the
// simulator asks for the whole application, as the proxy sends it, with the
// submit's field rules. Used by the proxy's loan update, next.

// modifiable are the members whose change is reported, in this order.
var modifiable = []string{"productId", "principal", "loanTermFrequency", "numberOfRepayments", "repaymentEvery",
	"interestRatePerPeriod", "amortizationType", "interestType", "expectedDisbursementDate", "submittedOnDate", "externalId"}

func (s *Server) updateLoan(c *call, t target) result {
	return s.writeOn(c, loanEntity, t, "UPDATE_LOAN", func(id int64) (commit, error) {
		return s.planLoanUpdate(id, c.body)
	})
}

// planLoanUpdate: loan (404), state (403), body (400), product (404), client
// active (403), then the submit's rules on the new application.
func (s *Server) planLoanUpdate(id int64, raw []byte) (commit, error) {
	l, ok := s.db.loans.rows[id]
	if !ok {
		return nil, loanNotFoundError(id)
	}
	if l.Status != LoanSubmittedAndPendingApproval {
		return nil, domainRuleError("error.msg.loan.cannot.modify.loan.in.its.present.state",
			"Loan application with identifier "+fmtID(id)+" cannot be modified in its current state.", id)
	}
	v := s.opts.Version
	b, err := parseBody(raw, submitWhitelist(v)...)
	if err != nil {
		return nil, err
	}
	if !anyOf(b, modifiable) && !b.has("loanType") {
		return nil, validationError(generalError("validation.msg.loan.no.parameters.for.update", "No parameters passed for update."))
	}
	a, err := s.readApplication(loanEntity.form(b), v)
	if err != nil {
		return nil, err
	}
	product, ok := s.db.products.rows[a.productID]
	if !ok {
		return nil, productNotFoundError(a.productID)
	}
	client := s.db.clients.rows[l.ClientID]
	if !client.active() {
		return nil, clientNotActiveError(client.ID)
	}
	if err := productRanges(product, a); err != nil {
		return nil, err
	}
	if err := s.submissionDates(client, a); err != nil {
		return nil, err
	}
	if err := loanTerm(a); err != nil {
		return nil, err
	}
	if other := s.db.loanByExternalID(a.externalID); a.externalID != "" && other != nil && other.ID != id {
		// No pre-check: the unique index of a fresh schema is named after
		// the column, which handleDataIntegrityIssues does not recognise
		// (facts §4.3 step 9, derived).
		return nil, dataIntegrityError("error.msg.unknown.data.integrity.issue", "Unknown data integrity issue with resource.", "")
	}
	return func() obj {
		before := modifiableValues(l)
		l.ProductID, l.ExternalID, l.SubmittedOn = product.id, a.externalID, a.submitted
		l.withTerms(product, a.principal, a.expected)
		l.repayments, l.every, l.rate, l.amortization, l.interestType = a.repayments, a.every, a.rate, a.amortization, a.interestType
		l.strategy = a.strategy
		return s.loanResult(l, id, updateChanges(b, before, modifiableValues(l)))
	}, nil
}

// modifiableValues are the loan's values of the modifiable members.
func modifiableValues(l *LoanSnapshot) map[string]any {
	return map[string]any{"productId": l.ProductID, "principal": l.principal, "loanTermFrequency": l.repayments * l.every,
		"numberOfRepayments": l.repayments, "repaymentEvery": l.every, "interestRatePerPeriod": l.rate,
		"amortizationType": l.amortization, "interestType": l.interestType,
		"expectedDisbursementDate": l.expectedDisbursement, "submittedOnDate": l.SubmittedOn, "externalId": l.ExternalID}
}

// updateChanges lists the modifiable members the request changed, as it
// gave them (JsonCommand keeps the input strings of dates).
func updateChanges(b *body, before, after map[string]any) obj {
	changes := obj{}
	for _, k := range modifiable {
		if !b.has(k) || before[k] == after[k] {
			continue
		}
		var v any
		_ = json.Unmarshal(b.members[k], &v) // valid: it came from the decoder
		changes = append(changes, field{k, v})
	}
	return changes
}

// anyOf reports whether the body has any of the names.
func anyOf(b *body, names []string) bool {
	for _, n := range names {
		if b.has(n) {
			return true
		}
	}
	return false
}

package fake

import (
	"net/http"
	"strconv"

	"lmsproxy/upstream"
)

// The loans resource (LoansApiResource): its routes and its entity, each
// registered once (routes, entities); the handlers are in loan_*.go. Used by
// the proxy's loans handlers, next.

// loanEntity is the loan as the write pipeline, the validators and the read
// permission know it.
var loanEntity = &entity{
	name: "loan",
	// CommandWrapperBuilder's ACTION_ENTITY codes of the loan commands the
	// simulator runs (facts §1).
	tasks: []string{"APPROVALUNDO_LOAN", "APPROVE_LOAN", "CREATE_LOAN", "DELETE_LOAN", "DISBURSALUNDO_LOAN",
		"DISBURSE_LOAN", "REJECT_LOAN", "REPAYMENT_LOAN", "UPDATE_LOAN", "WITHDRAW_LOAN", "WRITEOFF_LOAN"},
	ids: func(st *store) *sequence { return &st.loans.sequence },
	byExternalID: func(st *store, ext string) (int64, error) {
		l := st.loanByExternalID(ext)
		if l == nil {
			return 0, notFoundError("error.msg.loan.external.id.invalid", "Loan with external identifier "+ext+" does not exist", ext)
		}
		return l.ID, nil
	},
	source: func(p *PendingCommand, id int64) { p.LoanID = id },
}

// loanNotFoundError is LoanNotFoundException for a numeric id.
func loanNotFoundError(id int64) *apiError {
	return entityNotFoundError("error.msg.loan.id.invalid", "Loan", id)
}

// loanRoutes are /loans, /loans/{loanId} and, from 1.9, /loans/external-id/{x}
// (commit 2532c58cb, FINERACT-1760).
var loanRoutes = append([]route{
	{template: "loans", methods: func(s *Server, c *call, _ params) methods {
		return methods{
			http.MethodGet: func() result {
				v, err := s.listLoans(c)
				return s.render(c.r, v, err)
			},
			http.MethodPost: func() result { return s.submitLoan(c) },
		}
	}},
}, addressed("loans", "loanId", "loanExternalId", "", (*Server).loanMethods)...)

// loanMethods are the routes on one loan.
func (s *Server) loanMethods(c *call, t target) methods {
	return methods{
		http.MethodGet: func() result {
			v, err := s.getLoan(c, t)
			return s.render(c.r, v, err)
		},
		http.MethodPut:    func() result { return s.unlessLocked(c, t, s.updateLoan) },
		http.MethodPost:   func() result { return s.unlessLocked(c, t, s.loanCommand) },
		http.MethodDelete: func() result { return s.unlessLocked(c, t, s.deleteLoan) },
	}
}

// unlessLocked is LoanCOBApiFilter in front of a loan write (1.9+): a loan
// the COB job holds is a 409 before permission or body are looked at; an
// unknown external id passes on to the resource's 404
// (fineract-provider/.../infrastructure/jobs/filter/LoanCOBApiFilter.java,
// LoanCOBFilterHelper.java, 1.10.1).
func (s *Server) unlessLocked(c *call, t target, write func(*call, target) result) result {
	if id, err := s.resolve(loanEntity, t); err == nil {
		if err := s.cobLockError(id); err != nil {
			return s.render(c.r, nil, err)
		}
	}
	return write(c, t)
}

// cobLockError is ApiGlobalErrorResponse.loanIsLocked for a held loan on
// 1.9+ (fineract-core/.../infrastructure/core/data/ApiGlobalErrorResponse.java,
// 1.10.1): no errors items.
func (s *Server) cobLockError(id int64) error {
	if !s.opts.Version.AtLeast(upstream.V1_9) || !s.db.cobLocked[id] {
		return nil
	}
	msg := "Loan is locked by the COB job. Loan ID: " + fmtID(id)
	return envelope(http.StatusConflict, msg, msg, "error.msg.loan.locked", nil)
}

// loanResult is a loan command's CommandProcessingResult: officeId,
// clientId, loanId, the resource id, changes.
func (s *Server) loanResult(l *LoanSnapshot, resourceID int64, changes obj) obj {
	cl := s.db.clients.rows[l.ClientID]
	ids := obj{{"officeId", cl.OfficeID}, {"clientId", l.ClientID}, {"loanId", l.ID}}
	return s.commandResult(ids, resourceID, changes, l.ExternalID)
}

// fmtID prints an id as the upstream's string concatenation does.
func fmtID(id int64) string { return strconv.FormatInt(id, 10) }

package fake

import (
	"net/http"

	"lmsproxy/upstream"
)

// GET /clients/{clientId}/accounts and, from 1.9, its external-id form
// (ClientsApiResource.retrieveAssociatedAccounts →
// AccountDetailsReadPlatformServiceJpaRepositoryImpl.retrieveClientAccountDetails,
// LoanAccountSummaryData; fineract-provider/.../portfolio/accountdetails/ at
// 1.8.4 and 1.10.1; facts §7.8): a customer's loans, the only per-client
// loan view Fineract has. Used by the proxy's loan list, next.

var loanAccountRoutes = addressed("clients", "clientId", "externalId", "/accounts", (*Server).accountsMethods)

func (s *Server) accountsMethods(c *call, t target) methods {
	return methods{http.MethodGet: func() result {
		v, err := s.clientAccounts(t)
		return s.render(c.r, v, err)
	}}
}

// clientAccounts checks the client as its single read does (permission,
// then the line's not-found), then lists its loans; an empty collection is
// omitted (defaultLoanAccountsIfEmpty), and so are the amounts that are zero
// (getBigDecimalDefaultToNullIfZero). The simulator has no savings, shares
// or guarantees.
func (s *Server) clientAccounts(t target) (obj, error) {
	if _, err := s.getClient(t); err != nil {
		return nil, err
	}
	id, _ := s.resolve(clientEntity, t) // getClient resolved it
	var items []obj
	for _, l := range s.db.loansOf(id) {
		lg := l.ledger()
		o := obj{{"id", l.ID}, {"accountNo", l.AccountNo}, {"externalId", optString(l.ExternalID)},
			{"productId", l.product.id}, {"productName", l.product.name}, {"shortProductName", l.product.shortName},
			{"status", loanStatusObject(l.Status)}}
		if s.opts.Version.AtLeast(upstream.V1_9) {
			o = append(o, field{"currency", l.product.currency.object()})
		}
		o = append(o, field{"loanType", enumOption(1, "accountType.individual", "Individual")},
			field{"loanCycle", 1}, field{"timeline", s.loanTimeline(l, lg.schedule)}, field{"inArrears", false})
		if l.Status >= LoanActive && l.Status != LoanWithdrawnByClient && l.Status != LoanRejected {
			o = append(o, field{"originalLoan", l.approved})
			for _, d := range []struct {
				key    string
				amount decimal
			}{{"loanBalance", lg.outstanding().total()}, {"amountPaid", lg.paid().total()}} {
				if d.amount != 0 {
					o = append(o, field{d.key, d.amount})
				}
			}
		}
		items = append(items, o)
	}
	if items == nil {
		return obj{}, nil
	}
	return obj{{"loanAccounts", items}}, nil
}

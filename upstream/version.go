package upstream

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an upstream release line ("1.8", "1.9", "1.10", …). Behaviour
// that differs between lines is asked of the Version, once configured or
// detected, never guessed per request.
type Version struct {
	Major, Minor int
}

// Known release lines.
var (
	V1_8  = Version{1, 8}
	V1_9  = Version{1, 9}
	V1_10 = Version{1, 10}
)

// ParseVersion accepts a line ("1.10") or a release ("1.10.1"); the patch is
// dropped because no client behaviour differs within a line.
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("upstream version %q: want a release line such as 1.8 or 1.10", s)
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Version{}, fmt.Errorf("upstream version %q: want a release line such as 1.8 or 1.10", s)
		}
		nums[i] = n
	}
	v := Version{nums[0], nums[1]}
	if v.less(V1_8) {
		return Version{}, fmt.Errorf("upstream version %q: lines before 1.8 are not supported", s)
	}
	return v, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// IsZero reports an unset version.
func (v Version) IsZero() bool { return v == Version{} }

func (v Version) less(w Version) bool {
	return v.Major < w.Major || (v.Major == w.Major && v.Minor < w.Minor)
}

// AtLeast reports whether v is line w or newer.
func (v Version) AtLeast(w Version) bool { return !v.less(w) }

// HasExternalIDRoutes: /clients/external-id/{externalId} exists from 1.9.0
// (FINERACT-1760).
func (v Version) HasExternalIDRoutes() bool { return v.AtLeast(V1_9) }

// HonoursIdempotencyKey: the Idempotency-Key header is stored and replayed
// from 1.9.0 (IdempotencyStoreFilter); 1.8 ignores it.
func (v Version) HonoursIdempotencyKey() bool { return v.AtLeast(V1_9) }

// UnlimitedWithoutLimit: from 1.10.0 a list without limit returns every row
// (1.8/1.9 return 200). The client always sends an explicit limit; this is
// kept so the simulator can reproduce both behaviours.
func (v Version) UnlimitedWithoutLimit() bool { return v.AtLeast(V1_10) }

// HasLoanStrategyCodes: loans and products name their repayment strategy
// by code (transactionProcessingStrategyCode) from 1.9.0 (FINERACT-1783,
// commit fc895fce0); 1.8 by numeric id (transactionProcessingStrategyId),
// and each line refuses the other's key as unsupported
// (LoanApplicationCommandFromApiJsonHelper at 1.8.4 and 1.9.0).
func (v Version) HasLoanStrategyCodes() bool { return v.AtLeast(V1_9) }

// LoansCarryClientExternalID: a loan read names its client's externalId
// (clientExternalId) from 1.9.0. LoanAccountData has no such field at 1.8.4
// (fineract-provider/src/main/java/org/apache/fineract/portfolio/loanaccount/
// data/LoanAccountData.java); 1.9.0 added `ExternalId clientExternalId`
// there, set by every loan mapper.
func (v Version) LoansCarryClientExternalID() bool { return v.AtLeast(V1_9) }

// RepaysSettledLoans: a loan Closed (obligations met) or Overpaid takes a
// repayment from 1.9.0 (Loan.validateRepaymentTypeAccountStatus, commit
// 83de7652e); 1.8.4 takes one on an Active loan only.
func (v Version) RepaysSettledLoans() bool { return v.AtLeast(V1_9) }

// HasLoanStatusFilter: GET /loans takes ?status=<numeric id> from 1.9.0
// (LoansApiResource.retrieveAll); 1.8.4 has only sqlSearch.
func (v Version) HasLoanStatusFilter() bool { return v.AtLeast(V1_9) }

// HasVersionedBatchURLs: the Batch API matches relativeUrl "v1/loans…" from
// 1.9.0 and "loans…" on 1.8 (CommandStrategyProvider, fineract-provider/
// .../batch/command/ at 1.8.4, fineract-core/... at 1.9.0 and 1.10.1).
func (v Version) HasVersionedBatchURLs() bool { return v.AtLeast(V1_9) }

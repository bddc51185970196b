package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"lmsproxy/upstream/wire"
)

// The upstream's "today". Every upstream request runs with a business date
// that Client.validate compares activation and submission dates against
// (error.msg.clients.activationDate.in.the.future and
// error.msg.clients.submittedOnDate.in.the.future; Client.java at 1.8.4 via
// its isDateInTheFuture, at 1.10.1 via DateUtils.isDateInTheFuture). That
// date is BusinessDateReadPlatformServiceImpl.getBusinessDates (1.8.4
// fineract-provider/…/infrastructure/businessdate/service/, 1.10.1
// fineract-core/…): the tenant's local date (LocalDate.now in the tenant's
// timezone_id), replaced by the stored BUSINESS_DATE row only while the
// global configuration enable_business_date is on (default off, liquibase
// tenant part 0015_add_business_date.xml, which stores no row).
//
// GET /businessdate/{type} (BusinessDateApiResource, permission
// READ_BUSINESS_DATE) reads the stored row whatever the flag says: 404
// error.msg.businessdate.not.found when none was ever stored, and a stale
// date when the feature was switched off after use. So the flag is read
// first (GlobalConfigurationApiResource GET /configurations/name/{name},
// permission READ_CONFIGURATION), and the row only while it is on.

// Upstream operations of the business-date read.
var (
	OpGetConfiguration = Op{Name: "configurations.get", Method: http.MethodGet, Safety: ReadOnly}
	OpGetBusinessDate  = Op{Name: "businessdate.get", Method: http.MethodGet, Safety: ReadOnly}
)

// businessDateOps are the business-date read's operations, in Ops.
var businessDateOps = []Op{OpGetConfiguration, OpGetBusinessDate}

// Names the business-date read uses: the global configuration flag
// (ConfigurationDomainServiceJpa.ENABLE_BUSINESS_DATE) and the date type
// (BusinessDateType.BUSINESS_DATE; the other is COB_DATE).
const (
	ConfigEnableBusinessDate = "enable_business_date"
	BusinessDateType         = "BUSINESS_DATE"
)

// ErrTenantDate is BusinessDate's answer when the upstream's business date is
// its tenant's local date: the feature is off, or on with no date stored.
// The API does not expose the tenant's time zone, so the caller computes the
// date in the one it is configured with.
var ErrTenantDate = errors.New("upstream business date is the tenant's local date")

// ConfigurationProperty is GlobalConfigurationPropertyData; only the fields
// the proxy reads are declared.
type ConfigurationProperty struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}

// BusinessDateData is one stored business date, as
// GET /businessdate/{type} answers it:
// {"description":"Business Date","type":"BUSINESS_DATE","date":[2024,1,5]}.
type BusinessDateData struct {
	Description string    `json:"description,omitempty"`
	Type        string    `json:"type"`
	Date        wire.Date `json:"date"`
}

// BusinessDate returns the date the upstream uses as today for this
// client's tenant, or ErrTenantDate. Any other error means it could not be
// read (a missing permission, no answer, an unexpected body).
func (c *Client) BusinessDate(ctx context.Context) (wire.Date, error) {
	var flag ConfigurationProperty
	u := c.base.JoinPath("v1", "configurations", "name", ConfigEnableBusinessDate).String()
	if err := c.do(ctx, OpGetConfiguration, u, nil, &flag); err != nil {
		return wire.Date{}, err
	}
	if flag.Name != ConfigEnableBusinessDate {
		return wire.Date{}, decodeError(OpGetConfiguration.Name, http.StatusOK, fmt.Errorf("configuration answer names %q", flag.Name))
	}
	if !flag.Enabled {
		return wire.Date{}, ErrTenantDate
	}
	var bd BusinessDateData
	u = c.base.JoinPath("v1", "businessdate", BusinessDateType).String()
	err := c.do(ctx, OpGetBusinessDate, u, nil, &bd)
	if e, ok := wire.AsError(err); ok && e.Status == http.StatusNotFound && e.HasCode("error.msg.businessdate.not.found") {
		return wire.Date{}, ErrTenantDate
	}
	if err != nil {
		return wire.Date{}, err
	}
	if bd.Type != BusinessDateType || bd.Date.IsZero() {
		return wire.Date{}, decodeError(OpGetBusinessDate.Name, http.StatusOK, fmt.Errorf("business date answer has type %q, date %q", bd.Type, bd.Date.ISO()))
	}
	return bd.Date, nil
}

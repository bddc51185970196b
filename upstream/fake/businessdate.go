package fake

import (
	"net/http"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// The business date, as BusinessDateReadPlatformServiceImpl.getBusinessDates
// computes it for every request (1.8.4 fineract-provider, 1.10.1
// fineract-core, …/infrastructure/businessdate/service/): the tenant's local
// date, replaced by the stored BUSINESS_DATE only while the global
// configuration enable_business_date is on. The read API, by contrast, serves
// the stored rows whatever the flag says.

// businessDates is the simulated m_business_date table and its flag.
type businessDates struct {
	enabled bool                 // c_configuration enable_business_date
	stored  map[string]wire.Date // by BusinessDateType name
}

// businessDateTypes are BusinessDateType's names with their descriptions, in
// declaration order (which is also the order findAll returns rows stored by
// one update: BUSINESS_DATE, then the COB_DATE it adjusts).
var businessDateTypes = []struct{ name, description string }{
	{upstream.BusinessDateType, "Business Date"},
	{"COB_DATE", "Close of Business Date"},
}

// today is the business date every check of a request compares against.
func (s *Server) today() wire.Date {
	if d, ok := s.businessDates.stored[upstream.BusinessDateType]; ok && s.businessDates.enabled {
		return d
	}
	return wire.DateOf(s.opts.Today().In(s.opts.TimeZone))
}

// SetBusinessDate switches the business-date feature on or off and stores d
// as BUSINESS_DATE, with COB_DATE the day before, as
// BusinessDateWritePlatformServiceImpl.adjustDate does with its default
// enable_automatic_cob_date_adjustment; a zero d leaves no date stored.
// Switching off while a date is stored gives the stale row a real upstream
// keeps serving after the feature is turned off.
func (s *Server) SetBusinessDate(enabled bool, d wire.Date) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setBusinessDate(enabled, d)
}

func (s *Server) setBusinessDate(enabled bool, d wire.Date) {
	s.businessDates = businessDates{enabled: enabled, stored: map[string]wire.Date{}}
	if !d.IsZero() {
		s.businessDates.stored[upstream.BusinessDateType] = d
		s.businessDates.stored["COB_DATE"] = wire.DateOf(d.Time().AddDate(0, 0, -1))
	}
}

// businessDateMethods are BusinessDateApiResource's reads: GET /businessdate
// (every stored row) and GET /businessdate/{type}. Both need
// READ_BUSINESS_DATE; updates (POST) are not modelled, SetBusinessDate
// stands in for them.
func (s *Server) businessDateMethods(c *call, typ *string) methods {
	return methods{http.MethodGet: func() result {
		// validateHasReadPermission("BUSINESS_DATE"): "READ " + "business_date" + "s".
		if err := s.permitRead("business_date"); err != nil {
			return s.render(c.r, nil, err)
		}
		if typ == nil {
			list := []obj{}
			for _, t := range businessDateTypes {
				if d, ok := s.businessDates.stored[t.name]; ok {
					list = append(list, businessDateData(t.name, t.description, d))
				}
			}
			return result{status: http.StatusOK, body: encodeSuccess(list)}
		}
		v, err := s.businessDate(*typ)
		return s.render(c.r, v, err)
	}}
}

// businessDate is BusinessDateReadPlatformServiceImpl.findByType: the type
// must be a BusinessDateType name, exactly (valueOf), and a row must be stored.
func (s *Server) businessDate(typ string) (obj, error) {
	for _, t := range businessDateTypes {
		if t.name != typ {
			continue
		}
		d, ok := s.businessDates.stored[typ]
		if !ok {
			text := "Business date with type `" + typ + "` does not found."
			if businessDateNotFoundReworded(s.opts.Version) {
				text = "Business date with type `" + typ + "` is not found."
			}
			return nil, notFoundError("error.msg.businessdate.not.found", text, typ)
		}
		return businessDateData(t.name, t.description, d), nil
	}
	return nil, notFoundError("error.msg.businessdate.type.not.exist", "Business date with type `"+typ+"` does not exist.", typ)
}

// businessDateData is BusinessDateData in declaration order.
func businessDateData(typ, description string, d wire.Date) obj {
	return obj{{"description", description}, {"type", typ}, {"date", d}}
}

// configurationMethods is GET /configurations/name/{name}
// (GlobalConfigurationApiResource.retrieveOneByName, READ_CONFIGURATION).
// Only enable_business_date is modelled: another name finds no row, and the
// EmptyResultDataAccessException that queryForObject then throws has no
// mapper, so it is a 500.
func (s *Server) configurationMethods(c *call, name string) methods {
	return methods{http.MethodGet: func() result {
		if err := s.permitRead("configuration"); err != nil {
			return s.render(c.r, nil, err)
		}
		if name != upstream.ConfigEnableBusinessDate {
			return s.render(c.r, nil, springError(http.StatusInternalServerError))
		}
		// GlobalConfigurationPropertyData from the row of liquibase tenant part
		// 0015_add_business_date.xml (id 44: after the 43 rows of part 0002).
		// The row mapper reads value with getLong (0 for NULL); dateValue and
		// stringValue are NULL, so Gson omits them.
		return s.render(c.r, obj{
			{"name", name},
			{"enabled", s.businessDates.enabled},
			{"value", 0},
			{"id", 44},
			{"description", "Whether the logical business date functionality is enabled in the system"},
			{"trapDoor", false},
		}, nil)
	}}
}

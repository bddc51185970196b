package fake

// Rules shared by create and update: the validator steps both run, the
// checks Client.validate makes on dates, the unique indexes, and how string
// members are stored.

import "lmsproxy/upstream"

// readDateOfBirth: a present dateOfBirth may be neither after the business
// date nor after the submittedOnDate of the same body.
func (s *Server) readDateOfBirth(f *form, in *clientInput) {
	if !f.b.has("dateOfBirth") {
		return
	}
	in.dateOfBirth = f.requiredDate("dateOfBirth")
	today := s.today()
	f.v.dateNotAfter("dateOfBirth", in.dateOfBirth, &today)
	f.v.dateNotAfter("dateOfBirth", in.dateOfBirth, in.submitted)
}

// readCodeValueIDs reads genderId, clientTypeId and clientClassificationId.
func readCodeValueIDs(f *form, in *clientInput) {
	for _, c := range []struct {
		param string
		dst   **int
	}{{"genderId", &in.genderID}, {"clientTypeId", &in.clientTypeID}, {"clientClassificationId", &in.classificationID}} {
		if f.b.has(c.param) {
			*c.dst = f.integer(c.param)
			f.v.positiveInt(c.param, *c.dst)
		}
	}
}

// readDateFormat: a present dateFormat must not be blank.
func readDateFormat(f *form) {
	if f.b.has("dateFormat") {
		f.v.notBlankString("dateFormat", f.b.str("dateFormat"))
	}
}

// readLegalForm: legalFormId is 1 (person) or 2 (entity).
func readLegalForm(f *form, in *clientInput) {
	in.legal = f.integer("legalFormId")
	if in.legal == nil {
		f.v.mandatory("legalFormId")
	}
	f.v.inRange("legalFormId", in.legal, 1, 2)
}

// readIsStaff is the validators' last check: a present isStaff must be a
// primitive.
func readIsStaff(f *form) {
	if f.b.has("isStaff") && f.b.boolean("isStaff") == nil {
		f.v.mandatory("isStaff")
	}
}

// codeValue resolves an optional id that must be a value of code.
func (s *Server) codeValue(code string, id *int) error {
	if id != nil && !s.db.hasCodeValue(code, int64(*id)) {
		return codeValueNotFoundError(code, int64(*id))
	}
	return nil
}

// submittedDateRules are Client.validate's checks of submittedOnDate.
func (s *Server) submittedDateRules(v *validator, c *ClientSnapshot) {
	if s.today().Before(c.SubmittedOn) {
		v.add(paramError("error.msg.clients.submittedOnDate.in.the.future",
			"submitted date cannot be in the future.", "submittedOnDate", c.SubmittedOn))
	}
	if !c.ActivatedOn.IsZero() && c.ActivatedOn.Before(c.SubmittedOn) {
		v.add(paramError("error.msg.clients.submittedOnDate.after.activation.date",
			"submitted date cannot be after the activation date", "submittedOnDate", c.SubmittedOn))
	}
}

// activationDateRules are Client.validate's checks of activationDate.
func (s *Server) activationDateRules(v *validator, c *ClientSnapshot) {
	if c.ActivatedOn.IsZero() {
		return
	}
	if s.today().Before(c.ActivatedOn) {
		v.add(paramError("error.msg.clients.activationDate.in.the.future",
			"Activation date cannot be in the future.", "activationDate", c.ActivatedOn))
	}
	if c.ActivatedOn.Before(s.db.offices[c.OfficeID].opening) {
		v.add(paramError("error.msg.clients.activationDate.cannot.be.before.office.activation.date",
			"Client activation date cannot be a date before the office opening date.", "activationDate", c.ActivatedOn))
	}
}

// uniqueness is the database's unique indexes as handleDataIntegrityIssues
// reports them. Only external_id and mobile_no are recognised in the
// database message; a duplicate account number is an "unknown" issue whose
// 1.9+ text leaks the database message.
func (s *Server) uniqueness(c *ClientSnapshot) error {
	param, value, dup := s.db.conflict(c)
	switch {
	case !dup:
		return nil
	case param != "accountNo":
		return dataIntegrityError("error.msg.client.duplicate."+param,
			"Client with "+param+" `"+value+"` already exists", param, value)
	case leaksDatabaseMessage(s.opts.Version):
		return dataIntegrityError("error.msg.client.unknown.data.integrity.issue",
			"Unknown data integrity issue with resource: Duplicate entry '"+value+"' for key 'account_no'", "")
	}
	return dataIntegrityError("error.msg.client.unknown.data.integrity.issue",
		"Unknown data integrity issue with resource.", "")
}

// stringField is a plain string member of a client body.
type stringField struct {
	param string
	field func(*ClientSnapshot) *string
	// keepSpaces: stored as sent, not trimmed (externalId from 1.9).
	keepSpaces func(upstream.Version) bool
}

func never(upstream.Version) bool { return false }

// stringFields in Client.update's order.
var stringFields = []stringField{
	{"accountNo", func(c *ClientSnapshot) *string { return &c.AccountNo }, never},
	{"externalId", func(c *ClientSnapshot) *string { return &c.ExternalID }, externalIDObject},
	{"mobileNo", func(c *ClientSnapshot) *string { return &c.MobileNo }, never},
	{"emailAddress", func(c *ClientSnapshot) *string { return &c.Email }, never},
	{"firstname", func(c *ClientSnapshot) *string { return &c.Firstname }, never},
	{"middlename", func(c *ClientSnapshot) *string { return &c.Middlename }, never},
	{"lastname", func(c *ClientSnapshot) *string { return &c.Lastname }, never},
	{"fullname", func(c *ClientSnapshot) *string { return &c.Fullname }, never},
}

// normalize is how Client stores a string member.
func (s *Server) normalize(f stringField, v string) string {
	if f.keepSpaces(s.opts.Version) {
		return v
	}
	return javaTrim(v)
}

func derefString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefBool(p *bool) bool { return p != nil && *p }

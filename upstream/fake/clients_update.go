package fake

import (
	"strconv"

	"lmsproxy/upstream/wire"
)

// updateWhitelist is CLIENT_UPDATE_REQUEST_DATA_PARAMETERS: officeId is
// not updatable (the transfer commands move clients), so it is an
// unsupported parameter here.
var updateWhitelist = []string{
	"locale", "dateFormat", "accountNo", "externalId", "mobileNo", "emailAddress", "firstname", "middlename",
	"lastname", "fullname", "active", "activationDate", "staffId", "savingsProductId", "dateOfBirth", "genderId",
	"clientTypeId", "clientClassificationId", "submittedOnDate", "clientNonPersonDetails", "displayname",
	"legalFormId", "isStaff",
}

// update is PUT /clients/{id} (and /external-id/{x} from 1.9).
func (s *Server) update(c *call, t target) result {
	return s.writeOn(c, t, "UPDATE_CLIENT", func(id int64) (commit, error) { return s.planUpdate(id, c.body) })
}

// planUpdate is updateClient: body validation (400) before the lookup
// (404), then Client.update's change detection, the referenced entities,
// and the unique indexes. The answer's "changes" holds what actually
// changed, with values as sent.
func (s *Server) planUpdate(id int64, raw []byte) (commit, error) {
	b, err := parseBody(raw, updateWhitelist...)
	if err != nil {
		return nil, err
	}
	in, err := s.readUpdate(b)
	if err != nil {
		return nil, err
	}
	cl, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	next := *cl
	changes := obj{}
	for _, f := range stringFields {
		if !b.has(f.param) {
			continue
		}
		sent := derefString(b.str(f.param))
		if differs(*f.field(&next), sent) {
			changes = changes.set(f.param, sent)
			*f.field(&next) = s.normalize(f, sent)
		}
	}
	if in.legal != nil && *in.legal != next.LegalFormID {
		next.LegalFormID = *in.legal
		changes = changes.set("legalFormId", legalFormObject(s.opts.Version, *in.legal))
	}
	dateChanges := []struct {
		param string
		value *wire.Date
		dst   *wire.Date
	}{{"dateOfBirth", in.dateOfBirth, &next.DateOfBirth}, {"submittedOnDate", in.submitted, &next.SubmittedOn}}
	for _, d := range dateChanges {
		if d.value != nil && *d.value != *d.dst {
			*d.dst = *d.value
			sent, _ := b.primitive(d.param)
			format, _ := b.primitive("dateFormat")
			locale, _ := b.primitive("locale")
			changes = changes.set(d.param, sent).set("dateFormat", format).set("locale", locale)
		}
	}
	if isStaff := b.boolean("isStaff"); isStaff != nil && *isStaff != next.IsStaff {
		next.IsStaff = *isStaff
		changes = changes.set("isStaff", *isStaff)
	}
	var v validator
	if in.submitted != nil {
		s.submittedDateRules(&v, &next)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.checkUpdateReferences(&next, in); err != nil {
		return nil, err
	}
	if err := s.uniqueness(&next); err != nil {
		return nil, err
	}
	return func() obj {
		*cl = next
		return s.commandResult(cl, cl.OfficeID, changes)
	}, nil
}

// readUpdate is ClientDataValidator.validateForUpdate, in its order. Note
// what counts as "a parameter for update": emailAddress and isStaff alone do
// not, so a body with only them is refused (validation.msg.client.no.parameters.for.update).
func (s *Server) readUpdate(b *body) (clientInput, error) {
	f := &form{b: b}
	var in clientInput
	some := false
	if b.has("accountNo") {
		some = true
		accountNo := b.str("accountNo")
		f.v.notBlankString("accountNo", accountNo)
		f.v.maxLength("accountNo", accountNo, 20)
	}
	f.v.names(b, false)
	for _, p := range []string{"fullname", "lastname", "middlename", "firstname"} {
		some = some || b.has(p)
	}
	for _, l := range []struct {
		param string
		limit int
	}{{"externalId", 100}, {"mobileNo", 50}} {
		if b.has(l.param) {
			some = true
			f.v.maxLength(l.param, b.str(l.param), l.limit)
		}
	}
	if active := b.boolean("active"); active != nil {
		some = true
		if *active {
			f.requiredDate("activationDate")
		}
	}
	for _, p := range []struct {
		param string
		dst   **int64
	}{{"staffId", &in.staffID}, {"savingsProductId", &in.savingsProductID}} {
		if b.has(p.param) {
			some = true
			*p.dst = f.long(p.param)
			f.v.positive(p.param, *p.dst)
		}
	}
	for _, p := range []string{"genderId", "clientTypeId", "clientClassificationId", "submittedOnDate", "dateOfBirth", "legalFormId"} {
		some = some || b.has(p)
	}
	readCodeValueIDs(f, &in)
	in.submitted = f.optionalDate("submittedOnDate")
	s.readDateOfBirth(f, &in)
	readDateFormat(f)
	if b.has("legalFormId") {
		readLegalForm(f, &in)
	}
	readIsStaff(f)
	if !some {
		f.v.add(paramError("validation.msg.client.no.parameters.for.update", "No parameters passed for update.", "id"))
	}
	return in, f.err()
}

// checkUpdateReferences is updateClient's handling of changed references:
// staff, gender, then savings product (refused outright on an active client),
// then client type and classification. Nothing here has any, so a value is
// a change.
func (s *Server) checkUpdateReferences(c *Snapshot, in clientInput) error {
	if in.staffID != nil {
		return entityNotFoundError("error.msg.staff.id.invalid", "Staff", *in.staffID)
	}
	if err := s.codeValue("Gender", in.genderID); err != nil {
		return err
	}
	if in.savingsProductID != nil {
		if c.active() {
			return domainRuleError("error.msg.client.active.for.update.parameter.savingsProductId",
				"The Client with id `"+strconv.FormatInt(c.ID, 10)+"` is active,can't update parameter savingsProductId",
				c.ID, "savingsProductId")
		}
		return entityNotFoundError("error.msg.savingproduct.id.invalid", "Saving product", *in.savingsProductID)
	}
	if err := s.codeValue("ClientType", in.clientTypeID); err != nil {
		return err
	}
	return s.codeValue("ClientClassification", in.classificationID)
}

// differs is JsonCommand.differenceExists for strings: a blank stored value
// only differs from a non-blank new one; otherwise exact comparison.
func differs(stored, sent string) bool {
	if isBlank(stored) {
		return !isBlank(sent)
	}
	return stored != sent
}

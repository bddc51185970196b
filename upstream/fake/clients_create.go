package fake

import "lmsproxy/upstream/wire"

// createWhitelist is CLIENT_CREATE_REQUEST_DATA_PARAMETERS.
var createWhitelist = []string{
	"familyMembers", "address", "locale", "dateFormat", "groupId", "accountNo", "externalId", "mobileNo",
	"emailAddress", "firstname", "middlename", "lastname", "fullname", "officeId", "active", "activationDate",
	"staffId", "submittedOnDate", "savingsProductId", "dateOfBirth", "genderId", "clientTypeId",
	"clientClassificationId", "clientNonPersonDetails", "displayname", "legalFormId", "datatables", "isStaff",
}

// clientInput is what a create or update body says beyond plain strings.
type clientInput struct {
	officeID, groupID, staffID, savingsProductID    *int64
	genderID, clientTypeID, classificationID, legal *int
	active                                          bool
	activation, submitted, dateOfBirth              *wire.Date
}

// create is POST /clients.
func (s *Server) create(c *call) result {
	return s.execute(c, write{task: "CREATE_CLIENT", plan: func() (commit, error) { return s.planCreate(c.body) }})
}

// planCreate is ClientWritePlatformServiceJpaRepositoryImpl.createClient:
// body validation (400), referenced entities (404), Client.validate (400),
// then the unique indexes (403), then, for an active client, the
// activation's own permission and maker-checker.
func (s *Server) planCreate(raw []byte) (commit, error) {
	b, err := parseBody(raw, createWhitelist...)
	if err != nil {
		return nil, err
	}
	in, err := s.readCreate(b)
	if err != nil {
		return nil, err
	}
	if err := s.checkReferences(in); err != nil {
		return nil, err
	}
	cl := &Snapshot{Seed: Seed{
		Status:      wire.ClientStatusPending,
		OfficeID:    *in.officeID,
		LegalFormID: *in.legal,
		SubmittedOn: s.today(),
		IsStaff:     derefBool(b.boolean("isStaff")),
	}}
	for _, f := range stringFields {
		if v := b.str(f.param); v != nil {
			*f.field(cl) = s.normalize(f, *v)
		}
	}
	if in.dateOfBirth != nil {
		cl.DateOfBirth = *in.dateOfBirth
	}
	if in.submitted != nil {
		cl.SubmittedOn = *in.submitted
	}
	if in.active {
		cl.Status = wire.ClientStatusActive
		cl.ActivatedOn = *in.activation
		if cl.ActivatedOn.Before(cl.SubmittedOn) { // silently corrected on create
			cl.SubmittedOn = cl.ActivatedOn
		}
	}
	var v validator
	s.submittedDateRules(&v, cl)
	s.activationDateRules(&v, cl)
	if err := v.err(); err != nil {
		return nil, err
	}
	s.db.prepare(cl)
	if err := s.uniqueness(cl); err != nil {
		return nil, err
	}
	if in.active {
		if err := s.activationApproval(); err != nil {
			return nil, err
		}
	}
	return func() obj {
		s.db.add(cl)
		return s.commandResult(cl, cl.OfficeID, nil)
	}, nil
}

// readCreate is ClientDataValidator.validateForCreate, in its order.
func (s *Server) readCreate(b *body) (clientInput, error) {
	f := &form{b: b}
	var in clientInput
	in.officeID = f.requiredLong("officeId")
	if b.has("groupId") {
		in.groupID = f.requiredLong("groupId")
	}
	if b.has("staffId") {
		in.staffID = f.long("staffId")
		f.v.positive("staffId", in.staffID)
	}
	if b.has("accountNo") {
		accountNo := b.str("accountNo")
		f.v.notBlankString("accountNo", accountNo)
		f.v.maxLength("accountNo", accountNo, 20)
	}
	if b.has("savingsProductId") {
		in.savingsProductID = f.long("savingsProductId")
		f.v.positive("savingsProductId", in.savingsProductID)
	}
	f.v.names(b, true)
	f.v.maxLength("externalId", b.str("externalId"), 100)
	f.v.maxLength("mobileNo", b.str("mobileNo"), 50)
	if active := b.boolean("active"); active != nil && *active {
		in.active = true
		in.activation = f.requiredDate("activationDate")
	}
	in.submitted = f.optionalDate("submittedOnDate")
	s.readDateOfBirth(f, &in)
	readCodeValueIDs(f, &in)
	readDateFormat(f)
	readLegalForm(f, &in)
	readIsStaff(f)
	return in, f.err()
}

// checkReferences looks up every referenced entity in createClient's order.
// The simulator has no groups, staff, savings products or
// Gender/ClientType/ClientClassification values, so any id of those is 404.
func (s *Server) checkReferences(in clientInput) error {
	if in.officeID != nil {
		if _, ok := s.db.offices[*in.officeID]; !ok {
			return entityNotFoundError("error.msg.office.id.invalid", "Office", *in.officeID)
		}
	}
	if in.groupID != nil {
		return entityNotFoundError("error.msg.group.id.invalid", "Group", *in.groupID)
	}
	if in.staffID != nil {
		return entityNotFoundError("error.msg.staff.id.invalid", "Staff", *in.staffID)
	}
	for _, err := range []error{
		s.codeValue("Gender", in.genderID),
		s.codeValue("ClientType", in.clientTypeID),
		s.codeValue("ClientClassification", in.classificationID),
	} {
		if err != nil {
			return err
		}
	}
	if in.savingsProductID != nil {
		return entityNotFoundError("error.msg.savingproduct.id.invalid", "Saving product", *in.savingsProductID)
	}
	return nil
}

// activationApproval is what createClient asks of an active client once it
// is saved (validateCommand up to 1.9, validateRollbackCommand from 1.10, on
// an activateClient wrapper): the user needs ACTIVATE_CLIENT as well as
// CREATE_CLIENT (403 "User has no authority to: ACTIVATE_CLIENT"), and
// maker-checker on ACTIVATE_CLIENT holds the whole create. Source:
// fineract-provider/.../portfolio/client/service/ClientWritePlatformServiceJpaRepositoryImpl.java
// (1.8.4, 1.10.1).
func (s *Server) activationApproval() error {
	const task = "ACTIVATE_CLIENT"
	if err := s.permit(task); err != nil {
		return err
	}
	if s.holds(task) {
		return errHeldForApproval
	}
	return nil
}

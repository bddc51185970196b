package fake

import (
	"errors"
	"slices"
	"strings"
)

// Permissions and maker-checker. The simulator's only user holds a role with
// an explicit permission set, as a service account should; tests take one
// away (DenyPermission) or add one (GrantPermission), and put single
// commands under maker-checker (SetMakerChecker).

// Special permissions (grouping "special" in m_permission): they are never
// a command's task and cannot be put under maker-checker.
const (
	allFunctions     = "ALL_FUNCTIONS"
	allFunctionsRead = "ALL_FUNCTIONS_READ"
	checkerSuperUser = "CHECKER_SUPER_USER"
)

// Read permissions the simulator checks beyond each entity's
// READ_<NAME>: validateHasReadPermission(resource) asks for READ_<RESOURCE>.
const (
	readBusinessDate = "READ_BUSINESS_DATE"
	readConfig       = "READ_CONFIGURATION"
	readLoanProduct  = "READ_LOANPRODUCT"
)

// writeTasks are the permission codes of every command the simulator runs.
func writeTasks() []string {
	var tasks []string
	for _, e := range entities {
		tasks = append(tasks, e.tasks...)
	}
	return tasks
}

// servicePermissions is the simulator user's permission set at start: every
// entity's read and commands, and the business date and configuration reads
// "today" needs — not ALL_FUNCTIONS,
// which from 1.10 would also make the user its own checker.
func servicePermissions() map[string]bool {
	granted := map[string]bool{readBusinessDate: true, readConfig: true, readLoanProduct: true}
	for _, e := range entities {
		granted[readPermission(e.name)] = true
	}
	for _, task := range writeTasks() {
		granted[task] = true
	}
	return granted
}

// readPermission is what validateHasReadPermission(resource) asks for.
func readPermission(resource string) string { return "READ_" + strings.ToUpper(resource) }

// has is AppUser.hasPermissionTo: ALL_FUNCTIONS grants everything.
func (s *Server) has(permission string) bool {
	return s.granted[allFunctions] || s.granted[permission]
}

// permit is AppUser.validateHasPermissionTo, the check of a command's task
// (PortfolioCommandSourceWritePlatformServiceImpl.logCommandSource) and of
// the activation a create with active=true implies.
func (s *Server) permit(task string) error {
	if s.has(task) {
		return nil
	}
	return notAuthorizedError("User has no authority to: " + task)
}

// permitRead is AppUser.validateHasReadPermission(resource): READ_<RESOURCE>,
// ALL_FUNCTIONS_READ or ALL_FUNCTIONS, with its own wording ("User has no
// authority to READ clients").
func (s *Server) permitRead(resource string) error {
	if s.has(readPermission(resource)) || s.granted[allFunctionsRead] {
		return nil
	}
	return notAuthorizedError("User has no authority to READ " + strings.ToLower(resource) + "s")
}

// holds reports whether maker-checker holds the task for approval. From 1.10
// a checker super user (CHECKER_SUPER_USER, or ALL_FUNCTIONS, which
// hasPermissionTo counts) is its own checker and is never held
// (CommandSourceService.processCommand, validateRollbackCommand; FINERACT-1977).
func (s *Server) holds(task string) bool {
	if !s.makerChecker[task] {
		return false
	}
	return !(checkerSuperUserBypass(s.opts.Version) && s.has(checkerSuperUser))
}

// errHeldForApproval is a handler asking for its command to be held
// (CommandProcessingResult.rollbackTransaction): createClient with
// active=true when ACTIVATE_CLIENT is under maker-checker.
var errHeldForApproval = errors.New("held for maker-checker approval")

// makerCheckable reports whether a permission can be put under maker-checker:
// updateMakerCheckerPermissions (PermissionWritePlatformServiceJpaRepositoryImpl,
// 1.8.4 to develop) refuses READ_*, *_CHECKER and the special permissions;
// here, additionally, only the tasks the simulator runs.
func makerCheckable(task string) bool {
	return slices.Contains(writeTasks(), task)
}

// PendingCommand is a command maker-checker holds: stored, awaiting a
// checker, not applied. As in m_portfolio_command_source, each entity has
// its own column for the record a command is for (entity.source).
type PendingCommand struct {
	ID   int64
	Task string // permission code, e.g. UPDATE_CLIENT
	// ClientID is the client the command is for; 0 for a create.
	ClientID int64
	// LoanID is the loan the command is for; 0 for a create or a client
	// command.
	LoanID int64
}

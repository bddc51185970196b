package fake

import (
	"errors"
	"net/http"
	"unicode/utf8"
)

// commit applies a planned write and returns its success body. Planning
// does every check without touching state, so that maker-checker can run a
// command in full and then not apply it, as the upstream runs the handler
// and rolls its transaction back.
type commit func() obj

// entity is one kind of record the write pipeline writes (CommandWrapper's
// entityName: CLIENT, LOAN), as the shared machinery needs it. Each has
// one, registered in entities.
type entity struct {
	// name is the upstream's resource name: DataValidatorBuilder codes are
	// validation.msg.<name>.*, and reads need READ_<NAME>.
	name string
	// tasks are the permission codes of the commands the simulator runs on
	// it (CommandWrapper.taskPermissionName(): ACTION_ENTITY).
	tasks []string
	// ids is the sequence of its table: a create held for approval uses up
	// an id.
	ids func(*store) *sequence
	// byExternalID resolves an external id to the record's id; none is the
	// entity's own 404.
	byExternalID func(st *store, ext string) (int64, error)
	// source records the entity on a held command, in the column of
	// m_portfolio_command_source that CommandWrapperBuilder sets for it.
	source func(p *PendingCommand, id int64)
}

// form reads a body with a validator of the entity's codes.
func (e *entity) form(b *body) *form { return &form{b: b, v: validator{resource: e.name}} }

// target is the record a /{resources}/{id} or
// /{resources}/external-id/{x} route addresses.
type target struct {
	id  int64
	ext *string // set on the external-id routes
}

func byID(id int64) target           { return target{id: id} }
func byExternalID(ext string) target { return target{ext: &ext} }

// resolve turns an external id into the record's id (404 when none). A
// numeric target is returned unchecked: writes validate their body before
// looking the record up.
func (s *Server) resolve(e *entity, t target) (int64, error) {
	if t.ext == nil {
		return t.id, nil
	}
	return e.byExternalID(s.db, *t.ext)
}

// write is one command through the upstream's write pipeline
// (PortfolioCommandSourceWritePlatformServiceImpl.logCommandSource).
type write struct {
	task   string  // permission name, e.g. CREATE_CLIENT; also scopes maker-checker and idempotency
	entity *entity // what the command writes
	id     int64   // the existing record, 0 for create
	plan   func() (commit, error)
}

// execute runs a write in the upstream's order (PortfolioCommandSourceWritePlatformServiceImpl
// .logCommandSource, SynchronousCommandProcessingService.executeCommand;
// fineract-core/.../commands/service/ at 1.10.1): permission (403); on 1.9+
// an Idempotency-Key already used for the same task replays the stored
// answer, as the command source is found by action, entity and key, not by
// the record's id (exceptionWhenTheRequestAlreadyProcessed); a key too long
// for its column fails the command source's insert; the command source is
// stored UNDER_PROCESSING (its own transaction) and the command runs (a
// pause may hold it there); then the handler's checks; then maker-checker,
// which answers 200 without applying anything (the upstream runs the
// handler and rolls it back). The stored answer is the one the client got,
// failures included (IdempotencyStoreFilter overwrites the row with it).
func (s *Server) execute(c *call, w write) result {
	if err := s.permit(w.task); err != nil {
		return s.render(c.r, nil, err)
	}
	key := c.r.Header.Get(idempotencyHeader)
	stored := key != "" && s.opts.Version.HonoursIdempotencyKey()
	sourceKey := w.task + "\x00" + key
	if stored {
		if prev, ok := s.idempotent[sourceKey]; ok {
			return prev.replay(c)
		}
		if utf8.RuneCountInString(key) > idempotencyKeyLength {
			return s.render(c.r, nil, dataAccessError(s.opts.Version,
				s.opts.Database.tooLong("idempotency_key", idempotencyKeyLength)))
		}
		s.idempotent[sourceKey] = commandSource{processing: true}
	}
	s.waitIfPaused(c, w.task)
	apply, err := w.plan()
	var res result
	switch {
	case errors.Is(err, errHeldForApproval) || (err == nil && s.holds(w.task)):
		res = s.render(c.r, s.hold(w), nil)
	case err != nil:
		res = s.render(c.r, nil, err)
	default:
		s.writes++
		res = s.render(c.r, apply(), nil)
	}
	if stored {
		s.idempotent[sourceKey] = commandSource{result: res}
	}
	return res
}

// idempotencyKeyLength is m_portfolio_command_source.idempotency_key's
// VARCHAR(50) (liquibase tenant part 0061_add_idempotency_key_to_command_source.xml).
const idempotencyKeyLength = 50

// commandSource is the m_portfolio_command_source row an Idempotency-Key
// names, as far as a repeat sees it.
type commandSource struct {
	result
	// processing is UNDER_PROCESSING: the first request is still running.
	processing bool
}

// replay is IdempotentCommandExceptionMapper's answer to a repeat, marked
// x-served-from-cache: the stored status and body of a finished command,
// success or failure; for one still running 425 with the repeat's own
// request body (IdempotentCommandProcessUnderProcessingException carries
// wrapper.getJson()). The upstream retries that case (Resilience4j
// executeCommand: 3 attempts, 1 s then 2 s apart) and may then find the
// first finished; the simulator answers at once, as when the first is
// still running after the retries.
func (cs commandSource) replay(c *call) result {
	if cs.processing {
		return result{status: http.StatusTooEarly, body: c.body, cached: true}
	}
	res := cs.result
	res.cached = true
	return res
}

// hold stores a command for approval and returns the upstream's answer.
func (s *Server) hold(w write) obj {
	s.commandIDs++
	p := PendingCommand{ID: s.commandIDs, Task: w.task}
	w.entity.source(&p, w.id)
	s.pending = append(s.pending, p)
	entityID := w.id
	if entityID == 0 { // a create: its rolled-back insert used up an auto-increment value
		entityID = w.entity.ids(s.db).burn()
	}
	return s.approvalResult(s.commandIDs, entityID, w.id == 0)
}

// writeOn runs a write on an existing record: the target is resolved first,
// because the upstream resolves an external id before it checks permission.
func (s *Server) writeOn(c *call, e *entity, t target, task string, plan func(id int64) (commit, error)) result {
	id, err := s.resolve(e, t)
	if err != nil {
		return s.render(c.r, nil, err)
	}
	return s.execute(c, write{task: task, entity: e, id: id, plan: func() (commit, error) { return plan(id) }})
}

// pause is a command PauseCommand holds in flight.
type pause struct {
	task    string
	reached chan struct{} // closed when a command arrives
	resume  chan struct{} // closed to let it go on
}

// waitIfPaused holds the command if a pause waits for its task: it
// releases the simulator while it waits, so other requests are served, and
// runs on with the state it then finds. The caller holds s.mu. A batched
// command is never held: it shares its batch's transaction.
func (s *Server) waitIfPaused(c *call, task string) {
	if c.batched {
		return
	}
	for i, p := range s.pauses {
		if p.task != task {
			continue
		}
		s.pauses = append(s.pauses[:i:i], s.pauses[i+1:]...)
		close(p.reached)
		s.mu.Unlock()
		<-p.resume
		s.mu.Lock()
		return
	}
}

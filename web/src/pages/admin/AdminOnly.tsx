import { Link } from '../../lib/router.js';

/**
 * What an agent who is not an admin sees at an admin address. Its own small
 * module: the shell imports it statically, and the admin screens' shared
 * scaffolding (common.tsx) then stays out of the bundle loaded at start.
 */
export function AdminOnly() {
  return (
    <div className="empty-state page-pad">
      <h1 className="empty-title" tabIndex={-1}>
        Admins only
      </h1>
      <p className="muted">Only admins change the desk's settings.</p>
      <Link to="/inbox/open" className="btn btn-primary">
        Go to the inbox
      </Link>
    </div>
  );
}

import { Link } from './Link.js';
import { paths } from './router.js';
import { SyncBanner } from './SyncBanner.js';
import { SyncStatus } from './SyncStatus.js';

/** The top bar on every screen: the app's name, the sync state, and (signed in) the main navigation. */
export function AppHeader({ signedIn }: { signedIn: boolean }) {
  return (
    <header className="topbar">
      <div className="topbar-row">
        {signedIn ? (
          <Link to={paths.home} className="brand">
            <img src="/favicon.svg" alt="" width="24" height="24" />
            Mailboat
          </Link>
        ) : (
          <span className="brand">
            <img src="/favicon.svg" alt="" width="24" height="24" />
            Mailboat
          </span>
        )}
        <SyncStatus />
        {signedIn && (
          <nav aria-label="Main" className="topnav">
            <Link to={paths.devices}>Devices</Link>
            <Link to={paths.profile}>Profile</Link>
          </nav>
        )}
      </div>
      <SyncBanner />
    </header>
  );
}

import { AppHeader } from './AppHeader.js';
import { Link } from './Link.js';
import { PairForm } from './PairForm.js';
import type { Route } from './router.js';
import { paths } from './router.js';
import { SignInForm } from './SignInForm.js';
import { SignUpForm } from './SignUpForm.js';
import { useFocusHeading } from './useFocusHeading.js';

/** Signed out: sign in (the default), create an account, or link this device with a pairing code. */
export function AuthScreen({ route }: { route: Route }) {
  const mode = route.name === 'signup' || route.name === 'pair' ? route.name : 'signin';
  const heading = useFocusHeading<HTMLHeadingElement>(mode);
  return (
    <div className="app">
      <AppHeader signedIn={false} />
      <main className="auth">
        <div className="card">
          <h1 ref={heading} tabIndex={-1}>
            {mode === 'signup' ? 'Create your account' : mode === 'pair' ? 'Pair this device' : 'Sign in to Mailboat'}
          </h1>
          {mode === 'signup' && <SignUpForm />}
          {mode === 'pair' && <PairForm initialCode={route.name === 'pair' ? route.code : null} />}
          {mode === 'signin' && <SignInForm />}
          <p className="auth-switch">
            {mode !== 'signup' && <Link to={paths.signup}>Create an account</Link>}
            {mode !== 'signin' && <Link to={paths.signin}>I have an account</Link>}
            {mode !== 'pair' && <Link to={paths.pair()}>Use a pairing code</Link>}
          </p>
        </div>
      </main>
    </div>
  );
}

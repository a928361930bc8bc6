/**
 * The app shell. The local-first chat screens (issue 4) and the service worker (issue 5) are
 * built on top of it; until then it tells a visitor where things are.
 */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '2rem auto', padding: '0 1rem' }}>
      <h1>Mailboat</h1>
      <p>The Mailboat app is being built. The API it talks to is running here:</p>
      <ul>
        <li>
          <a href="/graphql">/graphql</a>: GraphQL, with GraphiQL in development
        </li>
        <li>
          <a href="/health">/health</a> and <a href="/ready">/ready</a>
        </li>
      </ul>
    </main>
  );
}

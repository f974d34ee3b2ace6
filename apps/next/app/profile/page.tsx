import { redirect } from "next/navigation";
import { auth, withSignIn } from "../../lib/entrance";

/** What Microsoft Graph's /me says of the signed-in user (the fields this page shows). */
interface Profile {
  readonly displayName?: string;
  readonly mail?: string | null;
  readonly jobTitle?: string | null;
  readonly officeLocation?: string | null;
}

/** The user's Microsoft Graph profile, read as the user. The proxy sends signed-out visits to sign in. */
export default async function ProfilePage() {
  const { user, graph, loginUrl } = await auth();
  // The proxy already did this; a page never relies on the proxy alone.
  if (!user) redirect(loginUrl("/profile"));
  // When Entra needs the user again (consent, or their sessions were revoked), to sign in and back.
  const me = (await withSignIn(() => graph.api("/me").get(), "/profile")) as Profile;
  const rows: [string, string | null | undefined][] = [
    ["Name", me.displayName],
    ["E-mail", me.mail],
    ["Job title", me.jobTitle],
    ["Office", me.officeLocation],
  ];
  return (
    <>
      <h1>Profile</h1>
      <h2>Your profile (Microsoft Graph /me)</h2>
      <table id="profile">
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <th>{name}</th>
              <td>{value ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

import { redirect } from "next/navigation";
import { auth } from "../../lib/entrance";

/** The session: when it started and ends. Not behind the proxy: the page sends signed-out visits to sign in. */
export default async function AccountPage() {
  const { user, session, loginUrl } = await auth();
  if (!user || !session) redirect(loginUrl("/account"));
  return (
    <>
      <h1>Your session</h1>
      <p id="session">
        {user.username}, signed in at {new Date(session.createdAt).toISOString()}.
      </p>
    </>
  );
}

import { auth } from "../lib/entrance";

/** Home: "Sign in with Microsoft" (and the sign-in link itself), or who is signed in. */
export default async function Home() {
  const { user, loginUrl } = await auth();
  if (!user) {
    return (
      <>
        <h1>Home</h1>
        <p>
          <a id="sign-in" href={loginUrl("/")}>
            Sign in with Microsoft
          </a>
        </p>
        <p>
          The sign-in link: <code id="login-url">{loginUrl("/profile")}</code> (signs in, then opens
          your profile).
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Home</h1>
      <p>
        You are signed in as <strong id="username">{user.username}</strong>.
      </p>
      <p>
        <a href="/profile">Your Microsoft Graph profile</a> · <a href="/account">Your session</a>
      </p>
    </>
  );
}

import type { ReactNode } from "react";
import { auth } from "../lib/entrance";

export const metadata = { title: "Entrance on Next.js" };

/** Every page: the app's name, and who is signed in with a sign-out button. */
export default async function Layout({ children }: { children: ReactNode }) {
  const { user, logoutUrl } = await auth();
  return (
    <html lang="en">
      <body>
        <style>{`body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
header{display:flex;justify-content:space-between;gap:1rem}form{display:inline}th{text-align:left;padding-right:1rem}`}</style>
        <header>
          <a href="/">Entrance on Next.js</a>
          {user && (
            <span>
              {user.displayName ?? user.username}{" "}
              <form method="post" action={logoutUrl}>
                <button id="sign-out" type="submit">
                  Sign out
                </button>
              </form>
            </span>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

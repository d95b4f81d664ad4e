/** Progress lines of `pnpm start`: one per step, saying what it waits for; ✓ when it is done. */
export const step = (text: string) => console.log(`• ${text}`);
export const done = (text: string) => console.log(`  ✓ ${text}`);
export const warn = (text: string) => console.log(`  ! ${text}`);

/**
 * Files the bundle inlines as text (build.mjs: `loader: { '.sh': 'text' }`): importing one gives
 * its content as a string.
 */
declare module '*.sh' {
  const text: string;
  export default text;
}

// `express4` is an npm alias for express@4; its API is close enough to the installed Express types for tests.
declare module 'express4' {
  import express from 'express';
  export default express;
}

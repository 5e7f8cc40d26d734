// ioredis-mock ships no types. It imitates ioredis' Redis class; tests cast it to that.
declare module 'ioredis-mock' {
  const RedisMock: new (options?: object) => object;
  export default RedisMock;
}

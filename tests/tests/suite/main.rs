mod contract;
mod sender;
mod system;

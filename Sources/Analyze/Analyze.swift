// Analyze
